// The showback table as CSV for a spreadsheet: every billing period, dimension value, account
// and currency with its effective, shared and allocated cost.
import { has, mart, query } from "./marts.js";

const header =
  "billing_period,dimension,value,provider,billing_account_id,sub_account_id,currency,effective_cost,shared_cost,allocated_cost";
if (!has("allocation")) {
  process.stdout.write(`${header}\n`);
} else {
  const rows =
    await query(`select billing_period, dimension, value, provider, billing_account_id, coalesce(sub_account_id, '') as sub_account_id,
      currency, sum(effective_cost)::decimal(18, 2)::varchar as e, sum(shared_cost)::decimal(18, 2)::varchar as s,
      sum(allocated_cost)::decimal(18, 2)::varchar as a
    from ${mart("allocation")} group by all order by billing_period, dimension, value, provider, billing_account_id, sub_account_id, currency`);
  const cell = (v) => (/[",\n]/.test(String(v)) ? `"${String(v).replaceAll('"', '""')}"` : String(v ?? ""));
  process.stdout.write(
    [
      header,
      ...rows.map((r) =>
        [
          r.billing_period,
          r.dimension,
          r.value,
          r.provider,
          r.billing_account_id,
          r.sub_account_id,
          r.currency,
          r.e,
          r.s,
          r.a,
        ]
          .map(cell)
          .join(","),
      ),
    ].join("\n") + "\n",
  );
}
