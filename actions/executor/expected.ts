/**
 * What a metrics-verified change should look like afterwards, fixed before it runs (stored in
 * ops.actions.expected): the baseline (the mean daily P95 CPU of the 7 days of
 * marts.utilization_daily before the change) and the ML predictor's P95 band for the next days
 * (ml.utilization_predictions), moved to the target size by the capacity ratio of
 * marts.catalog_vm_sizes (ml/utilization/on-target.ts) for a resize.
 */
import type { Warehouse } from "../../core/warehouse/warehouse.ts";
import { onTarget, type UtilizationPrediction } from "../../ml/utilization/on-target.ts";
import type { ActionKind } from "../kinds/kind.ts";
import type { ResourceState } from "../providers/adapter.ts";
import type { Action } from "./records.ts";

export interface Expected {
  baseline_cpu_p95_pct: number | null;
  baseline_days: number;
  /** The predicted P95 CPU band after the change, percent of the VM's size then. */
  predicted_cpu_p95_pct: { point: number; low: number; high: number } | null;
  prediction_size: string | null;
  capacity_ratio: number | null;
}

const round = (v: number) => Math.round(v * 100) / 100;

export async function expectedRange(
  w: Warehouse,
  kind: Pick<ActionKind, "verification" | "name">,
  action: Pick<Action, "resource_id" | "provider" | "parameters">,
  prior: ResourceState,
): Promise<Expected | null> {
  if (kind.verification !== "metrics") return null;
  const out: Expected = {
    baseline_cpu_p95_pct: null,
    baseline_days: 0,
    predicted_cpu_p95_pct: null,
    prediction_size: null,
    capacity_ratio: null,
  };
  if (await w.tableExists("marts", "utilization_daily")) {
    const [b] = await w.all<{ p95: number | null; days: number }>(
      `select avg(cpu_p95_pct)::double as p95, count(*)::integer as days from (
         select cpu_p95_pct from marts.utilization_daily where resource_id = $1 order by usage_date desc limit 7)`,
      [action.resource_id],
    );
    out.baseline_cpu_p95_pct = b?.p95 == null ? null : round(b.p95);
    out.baseline_days = b?.days ?? 0;
  }
  if (!(await w.tableExists("ml", "utilization_predictions"))) return out;
  const [p] = await w.all<UtilizationPrediction>(
    "select * exclude (written_at) from ml.utilization_predictions where resource_id = $1 order by horizon_start desc limit 1",
    [action.resource_id],
  );
  if (!p || p.cpu_p95_pct == null) return out;
  const target =
    typeof action.parameters.target_size === "string" ? action.parameters.target_size : undefined;
  let ratio = 1;
  if (target && (await w.tableExists("marts", "catalog_vm_sizes"))) {
    const sizes = await w.all<{ size: string; vcpu: number }>(
      "select size, vcpu::double as vcpu from marts.catalog_vm_sizes where provider = $1 and lower(size) in (lower($2), lower($3))",
      [action.provider, p.size ?? prior.size ?? "", target],
    );
    const vcpu = (s: string | null | undefined) =>
      sizes.find((x) => x.size.toLowerCase() === (s ?? "").toLowerCase())?.vcpu;
    const from = vcpu(p.size ?? prior.size);
    const to = vcpu(target);
    // Without both shapes the band cannot be moved: no prediction rather than a wrong one.
    if (!from || !to) return out;
    ratio = from / to;
  }
  const moved = onTarget(p, { vcpu: ratio, memory_gib: null }, { vcpu: 1, memory_gib: null }).cpu.p95;
  out.predicted_cpu_p95_pct = { point: round(moved.point), low: round(moved.low), high: round(moved.high) };
  out.prediction_size = target ?? p.size;
  out.capacity_ratio = round(ratio);
  return out;
}
