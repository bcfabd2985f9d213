// Spend by month for each view a leader slices by (provider, service, account, region, team),
// amortized and billed, per billing currency; and daily usage beside the one-off charges
// (purchases, tax, fees, credits) that make month starts jump.
import { emit, has, mart, query } from "./marts.js";

const cost = mart("cost_daily");
const views = {
  provider: "provider",
  service: "service_name",
  account: "coalesce(nullif(sub_account_name, ''), sub_account_id, billing_account_id)",
  region: "coalesce(region, '(no region)')",
};
const monthly = [];
for (const [dimension, expr] of Object.entries(views)) {
  monthly.push(
    ...(await query(`select strftime(charge_date, '%Y-%m') as month, currency, '${dimension}' as dimension,
        ${expr} as key, sum(effective_cost)::double as amortized, sum(billed_cost)::double as billed
      from ${cost} group by all`)),
  );
}
if (has("allocation"))
  monthly.push(
    ...(await query(`select billing_period as month, currency, 'team' as dimension, value as key,
        sum(effective_cost)::double as amortized, sum(billed_cost)::double as billed
      from ${mart("allocation")} where dimension = 'team' group by all`)),
  );

const daily = await query(`select charge_date::varchar as date, currency, provider,
    case when charge_category = 'Usage' then 'usage' else lower(charge_category) end as kind,
    sum(effective_cost)::double as amortized, sum(billed_cost)::double as billed
  from ${cost} group by all order by date`);

emit({ monthly, daily });
