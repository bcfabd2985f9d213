// Showback by allocation dimension (team, cost centre, environment: the config's), untagged
// spend and tag coverage by account, per billing period and currency.
import { emit, has, mart, query } from "./marts.js";

if (!has("allocation")) {
  emit(null);
} else {
  const a = mart("allocation");
  const byValue =
    await query(`select billing_period as period, dimension, value, currency, bool_or(is_untagged) as untagged,
      sum(effective_cost)::double as effective, sum(allocated_cost)::double as allocated
    from ${a} group by all order by period, dimension, allocated desc`);
  const coverage =
    await query(`select billing_period as period, dimension, provider, billing_account_id as account,
      coalesce(sub_account_id, '') as sub_account, currency,
      sum(effective_cost) filter (where is_untagged)::double as untagged,
      sum(effective_cost)::double as total, max(tag_coverage_pct)::double as coverage_pct
    from ${a} group by all order by period, dimension, untagged desc nulls last`);
  emit({ byValue, coverage });
}
