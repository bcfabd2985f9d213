// Actions: what the executor ran (ops.actions), how each ended, and the savings realized in the
// billing after it (marts.realized_savings) next to the estimate; the approval states behind
// the executive page's "approved" figure (ops/approval_status.json, written with the snapshots).
import { emit, has, json, mart, query } from "./marts.js";

const approvals = json("ops/approval_status.json");
if (!has("ops/actions")) {
  emit({ approvals, actions: null, realized: null, runs: [] });
} else {
  const actions = await query(`select action_id, recommendation_id, kind, provider, resource_id, state, mode,
      estimated_monthly_savings::double as estimated, currency, executed_at::varchar as executed_at,
      finished_at::varchar as finished_at, error, verification::varchar as verification
    from ${mart("ops/actions")} order by coalesce(executed_at, created_at) desc`);
  const realized = has("realized_savings")
    ? await query(`select action_id, kind, resource_id, state, currency, executed_at::varchar as executed_at,
        estimated_monthly_savings::double as estimated, realized_monthly_savings::double as realized,
        days_after, baseline_daily_cost::double as before, after_daily_cost::double as after
      from ${mart("realized_savings")} order by executed_at desc`)
    : null;
  const runs = has("ops/action_runs")
    ? await query(`select run_id, mode, started_at::varchar as started_at, planned, started, outcome,
        json_array_length(coalesce(skipped, '[]'))::integer as skipped
      from ${mart("ops/action_runs")} order by started_at desc limit 20`)
    : [];
  emit({ approvals, actions, realized, runs });
}
