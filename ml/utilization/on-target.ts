/**
 * A VM's predicted utilization moved to another size: percent of the current size times the
 * capacity ratio from the catalogue (current vCPU / target vCPU, likewise memory). The ratio
 * assumes the work takes the same capacity on both sizes, which holds within a family and its
 * same-shape successor, not across processor speeds. Used by the risk job for the performance
 * factor, and the range a change's verification should expect afterwards.
 */
import type { Band } from "./band.ts";

/** A row of ml.utilization_predictions (percent of the VM's current size). */
export interface UtilizationPrediction {
  resource_id: string;
  size: string | null;
  horizon_days: number;
  cpu_p95_pct: number;
  cpu_p95_low_pct: number;
  cpu_p95_high_pct: number;
  cpu_peak_pct: number;
  cpu_peak_low_pct: number;
  cpu_peak_high_pct: number;
  memory_p95_pct: number | null;
  memory_p95_low_pct: number | null;
  memory_p95_high_pct: number | null;
  memory_peak_pct: number | null;
  memory_peak_low_pct: number | null;
  memory_peak_high_pct: number | null;
}

export interface Capacity {
  vcpu: number;
  memory_gib: number | null;
}

export interface OnTarget {
  horizonDays: number;
  cpu: { p95: Band; peak: Band };
  /** Null where memory is not measured, or either size's memory is unknown. */
  memory: { p95: Band; peak: Band } | null;
}

const scaled = (point: number, low: number, high: number, ratio: number): Band => ({
  point: point * ratio,
  low: low * ratio,
  high: high * ratio,
});

export function onTarget(p: UtilizationPrediction, current: Capacity, target: Capacity): OnTarget {
  const cpuRatio = current.vcpu / target.vcpu;
  const memoryRatio = current.memory_gib && target.memory_gib ? current.memory_gib / target.memory_gib : null;
  const memory =
    memoryRatio !== null && p.memory_peak_pct !== null && p.memory_p95_pct !== null
      ? {
          p95: scaled(p.memory_p95_pct, p.memory_p95_low_pct!, p.memory_p95_high_pct!, memoryRatio),
          peak: scaled(p.memory_peak_pct, p.memory_peak_low_pct!, p.memory_peak_high_pct!, memoryRatio),
        }
      : null;
  return {
    horizonDays: p.horizon_days,
    cpu: {
      p95: scaled(p.cpu_p95_pct, p.cpu_p95_low_pct, p.cpu_p95_high_pct, cpuRatio),
      peak: scaled(p.cpu_peak_pct, p.cpu_peak_low_pct, p.cpu_peak_high_pct, cpuRatio),
    },
    memory,
  };
}
