/**
 * Learning from experience: each executed change's measured P95 CPU after it (the executor's
 * verification, ops.actions.verification) against the band the forest predicted for it before
 * it ran (ops.actions.expected, moved to the target size). How often outcomes land in the band,
 * and how far from its point, says how far the risk's performance factor can be trusted.
 */
import type { Warehouse } from "../../core/warehouse/warehouse.ts";

export interface Outcome {
  action_id: string;
  kind: string;
  resource_id: string;
  state: string;
  predicted: number;
  low: number;
  high: number;
  measured: number;
}

export async function actionOutcomes(warehouse: Warehouse): Promise<Outcome[]> {
  if (!(await warehouse.tableExists("ops", "actions"))) return [];
  return warehouse.all<Outcome>(
    `select action_id, kind, resource_id, state,
       (expected -> 'predicted_cpu_p95_pct' ->> 'point')::double as predicted,
       (expected -> 'predicted_cpu_p95_pct' ->> 'low')::double as low,
       (expected -> 'predicted_cpu_p95_pct' ->> 'high')::double as high,
       (verification ->> 'cpu_p95_pct')::double as measured
     from ops.actions
     where mode = 'execute' and (verification ->> 'cpu_p95_pct') is not null
       and (expected -> 'predicted_cpu_p95_pct' ->> 'point') is not null
     order by executed_at, action_id`,
  );
}

export function summarizeOutcomes(outcomes: Outcome[]): string {
  if (!outcomes.length)
    return "executed changes: none measured yet (their P95 after the change is compared with this band once the executor has verified some)";
  const inBand = outcomes.filter((o) => o.measured >= o.low && o.measured <= o.high).length;
  const above = outcomes.filter((o) => o.measured > o.high).length;
  const mae = outcomes.reduce((s, o) => s + Math.abs(o.measured - o.predicted), 0) / outcomes.length;
  const lines = [
    `executed changes: ${outcomes.length} measured after the change; P95 CPU inside the predicted band ${inBand}, above it ${above}; MAE of the predicted point ${mae.toFixed(2)} points`,
  ];
  for (const o of outcomes)
    lines.push(
      `  ${o.kind.padEnd(12)} ${o.resource_id.slice(-40).padEnd(40)} predicted ${o.predicted.toFixed(1)} (${o.low.toFixed(1)}-${o.high.toFixed(1)}), measured ${o.measured.toFixed(1)}: ${o.state}`,
    );
  return lines.join("\n");
}
