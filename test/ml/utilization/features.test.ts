import { describe, expect, it } from "vitest";
import { mlSchema } from "../../../core/ml-settings.ts";
import {
  addVm,
  emptyDataset,
  timeSeriesFolds,
  trainingCutoffs,
  windowsOf,
} from "../../../ml/utilization/dataset.ts";
import {
  FEATURE_NAMES,
  featuresAt,
  NAIVE_P95,
  NAIVE_PEAK,
  type Series,
  targetsAt,
} from "../../../ml/utilization/features.ts";
import { DAY, START_HOUR, syntheticFleet, syntheticVm } from "./fleet-fixture.ts";

const settings = mlSchema.parse({}).utilization;
const windows = windowsOf(settings, START_HOUR);
const feature = (x: number[], name: (typeof FEATURE_NAMES)[number]) => x[FEATURE_NAMES.indexOf(name)]!;

/** The series with every hour from `from` on replaced: far higher, or missing. */
function scrambledFrom(s: Series, from: number): Series {
  const avg = s.avg.slice();
  const max = s.max.slice();
  for (let h = from; h < avg.length; h++) {
    avg[h] = h % 3 === 0 ? Number.NaN : 99;
    max[h] = h % 3 === 0 ? Number.NaN : 100;
  }
  return { avg, max };
}

describe("utilization features", () => {
  it("read nothing at or after the cutoff", () => {
    for (const pattern of ["monthly_batch", "diurnal", "growing", "business_hours"] as const) {
      const vm = syntheticVm(1, pattern, 90, 3);
      for (const cutoff of [10 * DAY, 40 * DAY + 5, 70 * DAY]) {
        const x = featuresAt(vm.cpu, cutoff, windows);
        expect(x, `${pattern} at ${cutoff}`).not.toBeNull();
        expect(featuresAt(scrambledFrom(vm.cpu, cutoff), cutoff, windows)).toEqual(x);
        // The hour just before the cutoff is read: changing it changes something.
        const before = scrambledFrom(vm.cpu, cutoff - 1);
        expect(featuresAt(before, cutoff, windows)).not.toEqual(x);
      }
    }
  });

  it("and the targets read only the horizon after it", () => {
    const vm = syntheticVm(2, "monthly_batch", 90, 3);
    const cutoff = 50 * DAY;
    const y = targetsAt(vm.cpu, cutoff, windows)!;
    const earlier = { avg: vm.cpu.avg.map((v, h) => (h < cutoff ? 99 : v)), max: vm.cpu.max };
    expect(targetsAt(earlier, cutoff, windows)).toEqual(y);
    const later = {
      avg: vm.cpu.avg,
      max: vm.cpu.max.map((v, h) => (h >= cutoff + windows.horizonHours ? 100 : v)),
    };
    expect(targetsAt(later, cutoff, windows)).toEqual(y);
    let peak = 0;
    for (let h = cutoff; h < cutoff + windows.horizonHours; h++) peak = Math.max(peak, vm.cpu.max[h]!);
    expect(y.peak).toBe(peak);
  });

  it("every training row equals the features of the history cut at its cutoff", () => {
    const vms = syntheticFleet({ monthly_batch: 3, business_hours: 2 }, 80);
    const dataset = emptyDataset(80 * DAY, windows, settings.cutoff_step_days);
    for (const vm of vms) addVm(dataset, vm);
    expect(dataset.rows.cpu.length).toBeGreaterThan(20);
    for (const row of dataset.rows.cpu) {
      const cut = vms[row.vm]!.cpu;
      const truncated = { avg: cut.avg.slice(0, row.cutoff), max: cut.max.slice(0, row.cutoff) };
      expect(featuresAt(truncated, row.cutoff, windows)).toEqual(row.x);
      expect(row.cutoff + windows.horizonHours).toBeLessThanOrEqual(80 * DAY);
    }
  });

  it("carry the naive's values, the profile and the burstiness", () => {
    const office = featuresAt(syntheticVm(3, "business_hours", 60, 1).cpu, 60 * DAY, windows)!;
    expect(feature(office, "weekend_ratio")).toBe(-1); // never seen on a weekend
    expect(feature(office, "observed_share")).toBeCloseTo(60 / 168, 1);
    const batch = syntheticVm(4, "monthly_batch", 60, 1);
    const x = featuresAt(batch.cpu, 60 * DAY, windows)!;
    let naivePeak = 0;
    for (let h = 46 * DAY; h < 60 * DAY; h++) naivePeak = Math.max(naivePeak, batch.cpu.max[h]!);
    expect(x[NAIVE_PEAK]).toBe(naivePeak);
    expect(x[NAIVE_P95]).toBeLessThan(x[NAIVE_PEAK]!);
    expect(feature(x, "peak_to_mean")).toBeGreaterThan(2);
    expect(feature(x, "peak_day_share")).toBeLessThan(0.1); // one batch day in 28
    expect(feature(x, "days_since_peak")).toBeLessThan(28);
    const growing = featuresAt(syntheticVm(5, "growing", 60, 1).cpu, 60 * DAY, windows)!;
    expect(feature(growing, "trend_per_day")).toBeGreaterThan(0.1);
  });

  it("say nothing about a VM with under a week of history", () => {
    const vm = syntheticVm(6, "diurnal", 30, 1);
    expect(featuresAt(vm.cpu, 6 * DAY, windows)).toBeNull();
    expect(featuresAt(vm.cpu, 8 * DAY, windows)).not.toBeNull();
  });
});

describe("time-series folds", () => {
  it("train only on rows whose horizon ended by the validated cutoff", () => {
    const vms = syntheticFleet({ diurnal: 6 }, 120);
    const dataset = emptyDataset(120 * DAY, windows, 7);
    for (const vm of vms) addVm(dataset, vm);
    expect(dataset.cutoffs).toEqual(trainingCutoffs(120 * DAY, windows, 7));
    expect(dataset.cutoffs.at(-1)).toBe(120 * DAY - windows.horizonHours);
    const folds = timeSeriesFolds(dataset.rows.cpu, dataset.cutoffs, windows.horizonHours, 3);
    expect(folds.map((f) => f.cutoff)).toEqual(dataset.cutoffs.slice(-3));
    for (const fold of folds) {
      expect(fold.validate.every((r) => r.cutoff === fold.cutoff)).toBe(true);
      expect(Math.max(...fold.train.map((r) => r.cutoff + windows.horizonHours))).toBeLessThanOrEqual(
        fold.cutoff,
      );
    }
    // Training grows fold by fold (an expanding window).
    expect(folds[0]!.train.length).toBeLessThan(folds[2]!.train.length);
  });
});
