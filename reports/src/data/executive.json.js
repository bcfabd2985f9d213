// The executive summary: month to date against the same days of last month, the projected
// month end (the forecast job's, with its interval) against budget, savings, movers, anomalies.
import { dataWindow, emit, has, jobRan, mart, query } from "./marts.js";

const { last_day: lastDay } = await dataWindow();
const cost = mart("cost_daily");
// The month of the last day of data, and the same days of the month before.
const window = `(select date_trunc('month', date '${lastDay}') as m, date '${lastDay}' as d,
  date_trunc('month', date '${lastDay}') - interval 1 month as pm,
  least(date_trunc('month', date '${lastDay}') - interval 1 month + (date '${lastDay}' - date_trunc('month', date '${lastDay}')),
        date_trunc('month', date '${lastDay}') - interval 1 day) as pd)`;

const monthToDate = await query(`
  select currency,
    sum(effective_cost) filter (where charge_date between m and d)::decimal(18, 2)::varchar as month_to_date,
    sum(effective_cost) filter (where charge_date between pm and pd)::decimal(18, 2)::varchar as same_days_last_month,
    sum(effective_cost) filter (where charge_date between pm and m - interval 1 day)::decimal(18, 2)::varchar as last_month
  from ${cost}, ${window} w group by currency order by currency`);

const movers = await query(`
  with s as (
    select service_name, provider, currency,
      sum(effective_cost) filter (where charge_date between m and d) as now,
      sum(effective_cost) filter (where charge_date between pm and pd) as before
    from ${cost}, ${window} w where charge_category = 'Usage' group by all)
  select service_name, provider, currency, coalesce(now, 0)::decimal(18, 2)::varchar as month_to_date,
    coalesce(before, 0)::decimal(18, 2)::varchar as same_days_last_month,
    (coalesce(now, 0) - coalesce(before, 0))::decimal(18, 2)::varchar as change
  from s order by abs(coalesce(now, 0) - coalesce(before, 0)) desc limit 5`);

const savings = has("recommendations")
  ? await query(`select currency, count(*)::integer as open,
      sum(estimated_monthly_savings)::decimal(18, 2)::varchar as identified
    from ${mart("recommendations")} where status = 'open' group by currency order by currency`)
  : null;

// The forecast job's month-end projection of the total, per currency, where it has run.
const projection =
  (await jobRan("forecast")) && has("ml/month_end_projections")
    ? await query(`select * from ${mart("ml/month_end_projections")} where scope_type = 'total'`)
    : null;

const anomalies = (await jobRan("anomalies"))
  ? await query(`select coalesce(event_id, anomaly_id) as anomaly_id, scope_type, scope, currency, start_date::varchar as start_date,
      end_date::varchar as end_date, impact::varchar as impact, status from ${mart("ml/cost_anomalies")} where status = 'open'
      qualify row_number() over (partition by coalesce(event_id, anomaly_id) order by (anomaly_id = coalesce(event_id, anomaly_id)) desc, abs(impact)) = 1
      order by abs(impact) desc limit 5`)
  : null;

// Budgets (reports.budgets in cco.config.yaml) against the month to date of their scope.
const budgets = [];
for (const b of JSON.parse(process.env.CCO_BUDGETS ?? "[]")) {
  const [kind, ...rest] = b.scope.split(":");
  const value = rest.join(":");
  const filter =
    kind === "total"
      ? "true"
      : `${{ provider: "provider", service: "service_name", billing_account: "billing_account_id" }[kind]} = $1`;
  const [row] = await query(
    `select sum(effective_cost) filter (where charge_date between m and d)::decimal(18, 2)::varchar as month_to_date
     from ${cost}, ${window} w where currency = '${b.currency.replaceAll("'", "")}' and ${filter}`,
    kind === "total" ? [] : [value],
  );
  budgets.push({ ...b, month_to_date: row?.month_to_date ?? "0" });
}

emit({
  last_day: lastDay,
  month: lastDay.slice(0, 7),
  monthToDate,
  movers,
  savings,
  projection,
  anomalies,
  budgets,
});
