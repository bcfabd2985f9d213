// Headline figures: spend by provider over the last 30 days and savings found.
import { queryMarts } from "./marts.js";

const spend = await queryMarts(
  (mart) => `select provider, currency, round(sum(effective_cost), 2)::varchar as last_30_days
    from ${mart("cost_daily")}
    where charge_date > (select max(charge_date) from ${mart("cost_daily")}) - 30
    group by all order by provider`,
);
const savings = await queryMarts(
  (mart) => `select category, currency, count(*)::integer as recommendations,
      sum(estimated_monthly_savings)::varchar as monthly_savings
    from ${mart("recommendations")} where status = 'open' group by all order by category, currency`,
);
process.stdout.write(JSON.stringify({ spend, savings }));
