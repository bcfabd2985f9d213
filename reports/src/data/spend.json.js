// Daily effective (amortized) cost per provider and currency.
import { queryMarts } from "./marts.js";

const rows = await queryMarts(
  (mart) => `select charge_date::varchar as date, provider, currency,
      round(sum(effective_cost), 2)::double as cost
    from ${mart("cost_daily")} group by all order by date, provider`,
);
process.stdout.write(JSON.stringify(rows));
