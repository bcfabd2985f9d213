// Recommendations: savings by category and risk level, the top of the list with its risk
// factors, priority and owner, and what changed in the last seven days (the history).
import { emit, has, mart, query } from "./marts.js";

if (!has("recommendations")) {
  emit(null);
} else {
  const r = mart("recommendations");
  const totals = await query(`select currency, count(*)::integer as recommendations,
      sum(estimated_monthly_savings)::double as savings, sum(estimated_monthly_savings_at_list)::double as savings_at_list
    from ${r} where status = 'open' group by currency order by currency`);
  const byCategory =
    await query(`select currency, category, coalesce(risk_level, 'not assessed') as risk_level,
      count(*)::integer as recommendations, sum(estimated_monthly_savings)::double as savings
    from ${r} where status = 'open' group by all order by currency, category, risk_level`);
  // The owner: the team tag's value (the allocation's first team keys), else the account.
  const owner = has("resources")
    ? `coalesce(nullif(s.tags ->> 'team', ''), nullif(s.tags ->> 'user_team', ''), nullif(s.tags ->> 'owner', ''), nullif(s.tags ->> 'Team', ''))`
    : "null";
  const join = has("resources") ? `left join ${mart("resources")} s using (resource_id)` : "";
  const top =
    await query(`select recommendation_id, detector, category, r.provider, r.billing_account_id as account,
      r.resource_id, current_configuration, target_configuration, estimated_monthly_savings::double as savings, r.currency,
      risk_level, risk_score, effort, priority::double as priority, explanation,
      coalesce(${owner}, r.sub_account_id, r.billing_account_id) as owner,
      (select (f ->> 'factor') || ' ' || (f ->> 'score') from (select unnest(from_json(risk_factors, '["json"]')) as f)
         order by (f ->> 'score')::integer desc limit 1) as top_factor,
      risk_factors::varchar as risk_factors, mitigations::varchar as mitigations
    from ${r} r ${join} where status = 'open'
    order by priority desc nulls last, estimated_monthly_savings desc limit 100`);
  let changes = null;
  if (has("ops/recommendation_history")) {
    const h = mart("ops/recommendation_history");
    changes =
      await query(`select status, count(*)::integer as recommendations, sum(estimated_monthly_savings)::double as savings, currency
      from ${h} where changed_at > (select max(changed_at) from ${h}) - interval 7 day group by all order by currency, status`);
  }
  emit({ totals, byCategory, top, changes });
}
