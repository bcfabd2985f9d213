/**
 * The training set: per VM, one row per cutoff (every `cutoff_step_days`, the latest one a horizon
 * before the data's end) with the features before it and the targets after it, CPU and memory
 * apart; plus each VM's row at the data's end, which is what gets predicted. Folds for
 * time-series cross-validation never train on a row whose targets reach the validated cutoff.
 */
import type { MlSettings } from "../../core/ml-settings.ts";
import {
  featuresAt,
  MIN_DAYS_OBSERVED,
  type Series,
  type Targets,
  targetsAt,
  type Windows,
} from "./features.ts";

export type Metric = "cpu" | "memory";
export const METRICS: Metric[] = ["cpu", "memory"];

export interface VmMeta {
  resourceId: string;
  provider: string;
  size: string | null;
  vcpu: number | null;
  memoryGib: number | null;
}

export interface VmSeries extends VmMeta {
  cpu: Series;
  /** Null without a memory agent. */
  memory: Series | null;
}

export interface Row {
  vm: number;
  cutoff: number;
  x: number[];
  y: Targets;
}

export interface Latest {
  vm: number;
  x: number[];
}

export interface Dataset {
  windows: Windows;
  /** Length of the hour axis: the data's end is this index. */
  hours: number;
  /** Training cutoffs, oldest first. */
  cutoffs: number[];
  vms: VmMeta[];
  rows: Record<Metric, Row[]>;
  latest: Record<Metric, Latest[]>;
}

export function windowsOf(s: MlSettings["utilization"], axisStartHour: number): Windows {
  return { lookbackHours: s.lookback_days * 24, horizonHours: s.horizon_days * 24, axisStartHour };
}

/** Cutoffs whose whole horizon lies in the data, a step apart, the last one ending at the data's end; oldest first. */
export function trainingCutoffs(hours: number, windows: Windows, stepDays: number): number[] {
  const cutoffs: number[] = [];
  for (let c = hours - windows.horizonHours; c >= MIN_DAYS_OBSERVED * 24; c -= stepDays * 24)
    cutoffs.unshift(c);
  return cutoffs;
}

export function emptyDataset(hours: number, windows: Windows, stepDays: number): Dataset {
  return {
    windows,
    hours,
    cutoffs: trainingCutoffs(hours, windows, stepDays),
    vms: [],
    rows: { cpu: [], memory: [] },
    latest: { cpu: [], memory: [] },
  };
}

/** A VM's rows into the dataset; its series can be dropped afterwards. */
export function addVm(dataset: Dataset, vm: VmSeries): void {
  const index = dataset.vms.length;
  const { cpu, memory, ...meta } = vm;
  dataset.vms.push(meta);
  const series: [Metric, Series | null][] = [
    ["cpu", cpu],
    ["memory", memory],
  ];
  for (const [metric, s] of series) {
    if (!s) continue;
    for (const cutoff of dataset.cutoffs) {
      const x = featuresAt(s, cutoff, dataset.windows);
      if (!x) continue;
      const y = targetsAt(s, cutoff, dataset.windows);
      if (y) dataset.rows[metric].push({ vm: index, cutoff, x, y });
    }
    const x = featuresAt(s, dataset.hours, dataset.windows);
    if (x) dataset.latest[metric].push({ vm: index, x });
  }
}

export interface Fold {
  /** The validated cutoff: every training row's horizon ends by it. */
  cutoff: number;
  train: Row[];
  validate: Row[];
}

/** Under this many training rows a fold says nothing and is left out. */
export const MIN_TRAINING_ROWS = 30;

/**
 * Walk-forward folds, oldest first: the `folds` latest cutoffs, each validated by rows whose
 * targets ended by it (cutoff + horizon <= validated cutoff), so nothing after it was seen.
 */
export function timeSeriesFolds(rows: Row[], cutoffs: number[], horizonHours: number, folds: number): Fold[] {
  const out: Fold[] = [];
  for (const cutoff of cutoffs.slice(-folds)) {
    const train = rows.filter((r) => r.cutoff + horizonHours <= cutoff);
    const validate = rows.filter((r) => r.cutoff === cutoff);
    if (train.length >= MIN_TRAINING_ROWS && validate.length) out.push({ cutoff, train, validate });
  }
  return out;
}
