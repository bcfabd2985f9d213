/**
 * The utilization job: per VM, the next `horizon_days`' P95 and peak CPU (and memory where
 * measured), from random forests trained across the fleet on features of each VM's history,
 * cross-validated in time against the naive "last horizon's max". Writes
 * ml.utilization_predictions, ml.utilization_backtest and ml.utilization_feature_importance,
 * and records the run in ml.model_runs. The risk job reads the predictions (on-target.ts).
 */
import type { Config } from "../../core/config.ts";
import { createProgress, type Progress } from "../../core/log.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";
import type { JobEvaluation, JobResult, MlTruth } from "../jobs.ts";
import { recordRun } from "../runs.ts";
import { addVm, type Dataset, emptyDataset, windowsOf } from "./dataset.ts";
import { checksOf, formatScores, latestComparableRun } from "./evaluate.ts";
import { FEATURE_NAMES } from "./features.ts";
import { type FleetAxis, fleetAxis, readFleet } from "./fleet.ts";
import { fitTargets, type ModelOutput, type TargetScore } from "./model.ts";
import { createPool, workerCount } from "./workers.ts";
import { backtestRows, importanceRows, predictionRows, writeTables } from "./write.ts";

export const MODEL = "ml-random-forest regression (subbagged), change from the naive";

/** The parameters a run is recorded with (evaluate reuses a run whose settings, seed and data match). */
function parametersOf(config: Config, workers: number): Record<string, unknown> {
  return { ...config.ml.utilization, workers, features: [...FEATURE_NAMES] };
}

async function loadDataset(
  warehouse: Warehouse,
  config: Config,
  axis: FleetAxis,
  progress: Progress,
): Promise<Dataset> {
  const s = config.ml.utilization;
  const dataset = emptyDataset(axis.hours, windowsOf(s, axis.startHour), s.cutoff_step_days);
  await progress.step(`Features of ${axis.vmCount} VMs' hourly metrics`, async (tick) => {
    for await (const batch of readFleet(warehouse, axis)) {
      for (const vm of batch) addVm(dataset, vm);
      tick(dataset.vms.length, axis.vmCount);
    }
  });
  return dataset;
}

async function train(dataset: Dataset, config: Config, final: boolean, progress: Progress) {
  const workers = workerCount(config.ml.utilization.workers);
  const pool = await createPool(workers);
  try {
    const out = await progress.step(`Training forests on ${workers} worker thread(s)`, () =>
      fitTargets(dataset, config.ml.utilization, config.ml.seed, (task) => pool.run(task), { final }),
    );
    return { out, workers };
  } finally {
    await pool.close();
  }
}

const day = (hour: number) => new Date(hour * 3_600_000).toISOString().slice(0, 10);
const dataWindow = (axis: FleetAxis) => ({
  dataStart: day(axis.startHour),
  dataEnd: day(axis.startHour + axis.hours - 1),
});

/** The headline figures: per target, forest and naive MAE, the change, and the band's misses. */
function headline(scores: TargetScore[]): Record<string, number | null> {
  const r = (v: number | null, d = 3) => (v === null ? null : Math.round(v * 10 ** d) / 10 ** d);
  return Object.fromEntries(
    scores.flatMap((s) => [
      [`${s.target}_mae_forest`, r(s.maeForest)],
      [`${s.target}_mae_naive`, r(s.maeNaive)],
      [`${s.target}_mae_change_pct`, r(s.maeChangePct, 1)],
      [`${s.target}_above_band_share`, r(s.aboveBandShare)],
      [`${s.target}_band_coverage`, r(s.bandCoverage)],
    ]),
  );
}

export async function run(warehouse: Warehouse, config: Config, progress: Progress): Promise<JobResult> {
  const started = performance.now();
  const axis = await fleetAxis(warehouse);
  const dataset = axis ? await loadDataset(warehouse, config, axis, progress) : null;
  const { out, workers } = dataset
    ? await train(dataset, config, true, progress)
    : { out: emptyOutput(), workers: 0 };
  const predicted = out.predictions.cpu_peak?.length ?? 0;
  const seconds = (performance.now() - started) / 1000;
  const metrics = {
    ...headline(out.scores),
    vms_predicted: predicted,
    // Summed over the forests, which train in parallel: more than the wall time spent.
    training_seconds_summed: Math.round(out.trainingSeconds * 10) / 10,
  };
  const runId = await recordRun(warehouse, {
    job: "utilization",
    model: MODEL,
    parameters: parametersOf(config, workers),
    seed: config.ml.seed,
    ...(axis ? dataWindow(axis) : {}),
    rowsIn: dataset ? dataset.rows.cpu.length + dataset.rows.memory.length : 0,
    rowsOut: predicted,
    metrics: {
      ...metrics,
      scores: out.scores,
      folds: out.folds,
      importance: Object.fromEntries(
        Object.entries(out.importance).map(([target, imp]) => [
          target,
          Object.fromEntries(FEATURE_NAMES.map((f, i) => [f, Math.round(imp[i]! * 1e4) / 1e4])),
        ]),
      ),
      widening: out.widening,
    },
    durationSeconds: seconds,
  });
  await writeTables(warehouse, config.paths.cache, {
    predictions: dataset ? predictionRows(dataset, out, runId) : [],
    backtest: dataset ? backtestRows(dataset, out, runId) : [],
    importance: importanceRows(out, runId),
  });
  const peak = out.scores.find((s) => s.target === "cpu_peak");
  const p95 = out.scores.find((s) => s.target === "cpu_p95");
  const vs = (s: TargetScore | undefined, what: string) =>
    s?.maeForest != null && s.maeNaive != null
      ? `${what} MAE ${s.maeForest.toFixed(2)} vs naive ${s.maeNaive.toFixed(2)}`
      : `${what}: not enough history to backtest`;
  return {
    job: "utilization",
    rows: predicted,
    summary: dataset
      ? `${predicted} VMs predicted for the next ${config.ml.utilization.horizon_days} days; ${vs(peak, "peak CPU")}, ${vs(p95, "P95 CPU")} (percentage points, held-out cutoffs); ${seconds.toFixed(1)} s`
      : "no VM metrics: nothing to predict",
    metrics,
  };
}

function emptyOutput(): ModelOutput {
  return {
    scores: [],
    folds: [],
    predictions: {} as ModelOutput["predictions"],
    importance: {} as ModelOutput["importance"],
    widening: {} as ModelOutput["widening"],
    trainingRows: {} as ModelOutput["trainingRows"],
    trainingSeconds: 0,
  };
}

/**
 * The backtest against its targets. The last run's scores when it was made on the same data with
 * the same parameters and seed; otherwise the backtest is run now (nothing written). The truth
 * file is not needed: predictions are scored against the metrics' own later days.
 */
export async function evaluate(
  warehouse: Warehouse,
  config: Config,
  _truth: MlTruth | undefined,
): Promise<JobEvaluation> {
  const quiet = createProgress({ quiet: true });
  const axis = await fleetAxis(warehouse);
  let scores: TargetScore[] = [];
  let source = "no VM metrics";
  if (axis) {
    const window = dataWindow(axis);
    const previous = await latestComparableRun(warehouse, config, window);
    if (previous) {
      scores = previous.scores;
      source = `run ${previous.runId} of ${previous.startedAt}`;
    } else {
      const dataset = await loadDataset(warehouse, config, axis, quiet);
      scores = (await train(dataset, config, false, quiet)).out.scores;
      source = "backtest run now";
    }
    source += `, data ${window.dataStart} to ${window.dataEnd}`;
  }
  const { actionOutcomes, summarizeOutcomes } = await import("./outcomes.ts");
  const outcomes = summarizeOutcomes(await actionOutcomes(warehouse));
  return {
    job: "utilization",
    checks: checksOf(scores),
    table: `${formatScores(scores)}\n(${source}; no truth file needed: predictions are scored against the metrics' later days)\n${outcomes}`,
  };
}
