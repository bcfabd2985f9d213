/**
 * Synthetic fleets for the utilization tests, with patterns whose future is known: a monthly batch
 * (the last 14 days' max is wrong about the next 14 almost every time: it saw the batch that will
 * not recur, or missed the one coming), steady diurnal load, and growth.
 */
import type { Series } from "../../../ml/utilization/features.ts";
import type { VmSeries } from "../../../ml/utilization/dataset.ts";
import { prng } from "../../../ml/utilization/random.ts";

export const DAY = 24;
/** 2026-01-01T00:00Z in hours since the epoch (a Thursday). */
export const START_HOUR = Date.UTC(2026, 0, 1) / 3_600_000;

export type Pattern = "monthly_batch" | "diurnal" | "growing" | "business_hours";

/** One VM's CPU (and memory, when asked) over `days` days. */
export function syntheticVm(
  id: number,
  pattern: Pattern,
  days: number,
  seed: number,
  withMemory = false,
): VmSeries {
  const next = prng(seed * 1000 + id);
  const hours = days * DAY;
  const cpu: Series = { avg: new Float32Array(hours), max: new Float32Array(hours) };
  const base = 15 + 20 * next();
  const batchPhase = Math.floor(next() * 30);
  for (let h = 0; h < hours; h++) {
    const day = Math.floor(h / DAY);
    const hour = h % DAY;
    const weekday = (Math.floor((START_HOUR + h) / DAY) + 4) % 7;
    const diurnal = 0.5 + 0.5 * Math.sin((2 * Math.PI * (hour - 9)) / 24);
    let avg = base * (0.6 + 0.6 * diurnal) + 4 * next();
    if (pattern === "monthly_batch" && (day + batchPhase) % 30 === 0 && hour >= 1 && hour < 5)
      avg = 80 + 8 * next();
    if (pattern === "growing") avg *= 1 + day / 60;
    if (pattern === "business_hours") {
      const open = weekday >= 1 && weekday <= 5 && hour >= 7 && hour < 19;
      if (!open) {
        cpu.avg[h] = Number.NaN;
        cpu.max[h] = Number.NaN;
        continue;
      }
    }
    cpu.avg[h] = Math.min(100, avg);
    cpu.max[h] = Math.min(100, avg * (1.1 + 0.2 * next()) + 1);
  }
  const memory = withMemory
    ? {
        avg: cpu.avg.map((v) => (Number.isNaN(v) ? v : 30 + 0.3 * v)),
        max: cpu.max.map((v) => (Number.isNaN(v) ? v : 33 + 0.3 * v)),
      }
    : null;
  return {
    resourceId: `vm-${String(id).padStart(3, "0")}`,
    provider: "aws",
    size: "m5.xlarge",
    vcpu: 4,
    memoryGib: 16,
    cpu,
    memory,
  };
}

export function syntheticFleet(counts: Partial<Record<Pattern, number>>, days: number, seed = 1): VmSeries[] {
  const vms: VmSeries[] = [];
  for (const [pattern, n] of Object.entries(counts) as [Pattern, number][])
    for (let i = 0; i < n; i++) vms.push(syntheticVm(vms.length, pattern, days, seed));
  return vms;
}
