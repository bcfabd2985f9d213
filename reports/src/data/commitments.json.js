// Commitments: utilization and coverage by month, unused cost, expiries in the next 90 days,
// and the purchases the recommendations propose with their break-even.
import { dataWindow, emit, has, mart, query } from "./marts.js";

if (!has("commitments")) {
  emit(null);
} else {
  const c = mart("commitments");
  const { last_day: lastDay } = await dataWindow();
  const monthly =
    await query(`select strftime(charge_date, '%Y-%m') as month, provider, commitment_type, currency,
      100 * sum(used_cost) / nullif(sum(amortized_cost), 0) as utilization_pct, avg(coverage_pct)::double as coverage_pct,
      sum(unused_cost)::double as unused, sum(savings)::double as savings
    from ${c} group by all order by month, provider, commitment_type`);
  const expiring =
    await query(`select commitment_id, provider, commitment_type, currency, max(term_end)::varchar as term_end,
      (max(term_end)::date - date '${lastDay}')::integer as days_left,
      sum(amortized_cost) filter (where charge_date > date '${lastDay}' - 30)::double as last_30_days_cost
    from ${c} group by all having max(term_end)::date <= date '${lastDay}' + 90 order by term_end`);
  const purchases = has("recommendations")
    ? await query(`select provider, billing_account_id as account, target_configuration as commitment, currency,
        estimated_monthly_savings::double as savings, (evidence ->> 'hourly_commitment')::double as hourly,
        (evidence ->> 'coverage_before_pct')::double as coverage_before, (evidence ->> 'coverage_after_pct')::double as coverage_after,
        (evidence ->> 'break_even_month')::integer as break_even_month
      from ${mart("recommendations")} where detector = 'commitment_purchase' and status = 'open' order by savings desc`)
    : [];
  emit({ last_day: lastDay, monthly, expiring, purchases });
}
