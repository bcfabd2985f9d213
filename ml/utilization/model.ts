/**
 * The forests for the four targets (CPU and memory, P95 and peak): time-series cross-validation
 * against the naive predictor, then a forest on every row predicting the next horizon from the
 * data's end. Each forest predicts the change from the naive (the last horizon's P95 or peak), so
 * trees spend their splits on when the future differs from the recent past.
 */
import type { MlSettings } from "../../core/ml-settings.ts";
import { type Band, bandsFromTrees, fitWidening, NO_WIDENING, type Widening, widen } from "./band.ts";
import {
  type Dataset,
  type Fold,
  MIN_TRAINING_ROWS,
  type Metric,
  type Row,
  timeSeriesFolds,
} from "./dataset.ts";
import { FEATURE_NAMES, NAIVE_P95, NAIVE_PEAK } from "./features.ts";
import type { ForestResult, ForestTask } from "./forest.ts";
import { deriveSeed, sample } from "./random.ts";

export type Stat = "p95" | "peak";
export type TargetName = `${Metric}_${Stat}`;

export interface Target {
  name: TargetName;
  metric: Metric;
  stat: Stat;
  naiveIndex: number;
}

export const TARGETS: Target[] = (["cpu", "memory"] as const).flatMap((metric) =>
  (["p95", "peak"] as const).map((stat) => ({
    name: `${metric}_${stat}` as TargetName,
    metric,
    stat,
    naiveIndex: stat === "p95" ? NAIVE_P95 : NAIVE_PEAK,
  })),
);

/** Something that trains forests: the worker pool, or trainAndPredict in this thread. */
export type Trainer = (task: ForestTask) => Promise<ForestResult>;

export interface FoldScore {
  target: TargetName;
  /** The validated cutoff, as an hour index on the fleet's axis. */
  cutoff: number;
  trainingRows: number;
  rows: number;
  maeForest: number;
  maeNaive: number;
}

export interface TargetScore {
  target: TargetName;
  folds: number;
  /** Held-out VM × cutoff rows scored. */
  rows: number;
  maeForest: number | null;
  maeNaive: number | null;
  /** Forest MAE against naive MAE, percent (negative: the forest is better). */
  maeChangePct: number | null;
  /** Held-out outcomes above the band's top, below its bottom, and inside, with the band fitted on earlier folds only. */
  aboveBandShare: number | null;
  belowBandShare: number | null;
  bandCoverage: number | null;
  bandRows: number;
  /** The trees' spread alone, before widening: how much it covers on its own. */
  rawBandCoverage: number | null;
  /** How often the outcome exceeded the naive prediction (for the peak: the last horizon's max was beaten). */
  naiveExceededShare: number | null;
  meanBandWidth: number | null;
}

export interface VmPrediction extends Band {
  vm: number;
  naive: number;
}

export interface ModelOutput {
  scores: TargetScore[];
  folds: FoldScore[];
  predictions: Record<TargetName, VmPrediction[]>;
  /** The final forests' importances, per target and feature. */
  importance: Record<TargetName, number[]>;
  widening: Record<TargetName, Widening>;
  trainingRows: Record<TargetName, number>;
  /** Seconds spent training, summed over the forests (they run in parallel). */
  trainingSeconds: number;
}

type Settings = MlSettings["utilization"];

function flatten(rows: { x: number[] }[]): Float64Array<ArrayBuffer> {
  const out = new Float64Array(rows.length * FEATURE_NAMES.length);
  rows.forEach((r, i) => {
    out.set(r.x, i * FEATURE_NAMES.length);
  });
  return out;
}

/** Train on a seeded sample of `train` (target: the change from the naive), predict `predict`. */
async function forest(
  trainer: Trainer,
  target: Target,
  train: Row[],
  predict: { x: number[] }[],
  s: Settings,
  seed: number,
): Promise<{ bands: Band[]; result: ForestResult; trainingRows: number }> {
  const pool = sample(train, s.max_training_rows, deriveSeed(seed, "rows"));
  const task: ForestTask = {
    x: flatten(pool),
    features: FEATURE_NAMES.length,
    y: Float64Array.from(pool, (r) => r.y[target.stat] - r.x[target.naiveIndex]!),
    predict: flatten(predict),
    trees: s.trees,
    maxDepth: s.max_depth,
    rowsPerTree: s.rows_per_tree,
    seed,
  };
  const result = await trainer(task);
  const bands = bandsFromTrees(
    result.treePredictions,
    s.trees,
    predict.map((p) => p.x[target.naiveIndex]!),
  );
  return { bands, result, trainingRows: pool.length };
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const share = (xs: boolean[]) => mean(xs.map((x) => (x ? 1 : 0)));

interface Scored {
  fold: Fold;
  bands: Band[];
}

function score(target: Target, scored: Scored[]): { score: TargetScore; folds: FoldScore[] } {
  const folds: FoldScore[] = [];
  const all: { actual: number; naive: number; band: Band; calibrated: Band | null }[] = [];
  scored.forEach(({ fold, bands }, k) => {
    const outcomes = fold.validate.map((r, i) => ({
      actual: r.y[target.stat],
      naive: r.x[target.naiveIndex]!,
      band: bands[i]!,
    }));
    // The band of fold k is widened by the misses of folds before it only: nothing later is seen.
    const earlier = scored
      .slice(0, k)
      .flatMap((s) => s.fold.validate.map((r, i) => ({ band: s.bands[i]!, actual: r.y[target.stat] })));
    const w = k > 0 ? fitWidening(earlier) : null;
    for (const o of outcomes) all.push({ ...o, calibrated: w ? widen(o.band, w) : null });
    folds.push({
      target: target.name,
      cutoff: fold.cutoff,
      trainingRows: fold.train.length,
      rows: outcomes.length,
      maeForest: mean(outcomes.map((o) => Math.abs(o.band.point - o.actual)))!,
      maeNaive: mean(outcomes.map((o) => Math.abs(o.naive - o.actual)))!,
    });
  });
  const maeForest = mean(all.map((o) => Math.abs(o.band.point - o.actual)));
  const maeNaive = mean(all.map((o) => Math.abs(o.naive - o.actual)));
  const banded = all.filter((o) => o.calibrated) as { actual: number; calibrated: Band }[];
  return {
    folds,
    score: {
      target: target.name,
      folds: scored.length,
      rows: all.length,
      maeForest,
      maeNaive,
      maeChangePct:
        maeForest !== null && maeNaive
          ? (100 * (maeForest - maeNaive)) / maeNaive
          : maeForest === 0
            ? 0
            : null,
      aboveBandShare: share(banded.map((o) => o.actual > o.calibrated.high)),
      belowBandShare: share(banded.map((o) => o.actual < o.calibrated.low)),
      bandCoverage: share(banded.map((o) => o.actual >= o.calibrated.low && o.actual <= o.calibrated.high)),
      bandRows: banded.length,
      rawBandCoverage: share(all.map((o) => o.actual >= o.band.low && o.actual <= o.band.high)),
      naiveExceededShare: share(all.map((o) => o.actual > o.naive)),
      meanBandWidth: mean(banded.map((o) => o.calibrated.high - o.calibrated.low)),
    },
  };
}

/**
 * Cross-validate and fit every target that has rows. `final: false` runs the backtest only
 * (cco ml evaluate without a current run).
 */
export async function fitTargets(
  dataset: Dataset,
  s: Settings,
  seed: number,
  trainer: Trainer,
  options: { final: boolean } = { final: true },
): Promise<ModelOutput> {
  const out: ModelOutput = {
    scores: [],
    folds: [],
    predictions: {} as ModelOutput["predictions"],
    importance: {} as ModelOutput["importance"],
    widening: {} as ModelOutput["widening"],
    trainingRows: {} as ModelOutput["trainingRows"],
    trainingSeconds: 0,
  };
  const work = TARGETS.filter((t) => dataset.rows[t.metric].length).map(async (target) => {
    const rows = dataset.rows[target.metric];
    const folds = timeSeriesFolds(rows, dataset.cutoffs, dataset.windows.horizonHours, s.cv_folds);
    const latest = dataset.latest[target.metric];
    const [scored, final] = await Promise.all([
      Promise.all(
        folds.map(async (fold) => {
          const f = await forest(
            trainer,
            target,
            fold.train,
            fold.validate,
            s,
            deriveSeed(seed, target.name, fold.cutoff),
          );
          out.trainingSeconds += f.result.seconds;
          return { fold, bands: f.bands };
        }),
      ),
      options.final && rows.length >= MIN_TRAINING_ROWS
        ? forest(trainer, target, rows, latest, s, deriveSeed(seed, target.name, "final"))
        : null,
    ]);
    const { score: sc, folds: fs } = score(target, scored);
    out.scores.push(sc);
    out.folds.push(...fs);
    const widening = fitWidening(
      scored.flatMap((x) => x.fold.validate.map((r, i) => ({ band: x.bands[i]!, actual: r.y[target.stat] }))),
    );
    out.widening[target.name] = scored.length ? widening : NO_WIDENING;
    if (final) {
      out.trainingSeconds += final.result.seconds;
      out.trainingRows[target.name] = final.trainingRows;
      out.importance[target.name] = final.result.importance;
      out.predictions[target.name] = latest.map((l, i) => ({
        vm: l.vm,
        naive: l.x[target.naiveIndex]!,
        ...widen(final.bands[i]!, out.widening[target.name]),
      }));
    }
  });
  await Promise.all(work);
  // Concurrent targets finish in any order: report them in TARGETS' order.
  const order = (n: TargetName) => TARGETS.findIndex((t) => t.name === n);
  out.scores.sort((a, b) => order(a.target) - order(b.target));
  out.folds.sort((a, b) => order(a.target) - order(b.target) || a.cutoff - b.cutoff);
  return out;
}
