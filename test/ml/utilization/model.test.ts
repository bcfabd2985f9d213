import { beforeAll, describe, expect, it } from "vitest";
import { mlSchema } from "../../../core/ml-settings.ts";
import { addVm, type Dataset, emptyDataset, windowsOf } from "../../../ml/utilization/dataset.ts";
import { trainAndPredict } from "../../../ml/utilization/forest.ts";
import { fitTargets, type ModelOutput, type Trainer } from "../../../ml/utilization/model.ts";
import { createPool } from "../../../ml/utilization/workers.ts";
import { DAY, START_HOUR, syntheticFleet } from "./fleet-fixture.ts";

// Small forests: the tests check behaviour, not the defaults' accuracy.
const settings = mlSchema.parse({ utilization: { trees: 12, rows_per_tree: 200 } }).utilization;
const inThread: Trainer = async (task) => trainAndPredict(task);
const DAYS = 120;

let dataset: Dataset;
let output: ModelOutput;

const withoutTimes = (o: ModelOutput) => ({ ...o, trainingSeconds: 0 });

beforeAll(async () => {
  dataset = emptyDataset(DAYS * DAY, windowsOf(settings, START_HOUR), settings.cutoff_step_days);
  for (const vm of syntheticFleet({ monthly_batch: 40, diurnal: 20, growing: 10 }, DAYS, 5))
    addVm(dataset, vm);
  output = await fitTargets(dataset, settings, 7, inThread);
}, 120_000);

describe("the utilization forest", () => {
  it("beats the last 14 days' max on a fleet whose batches run monthly", () => {
    const peak = output.scores.find((s) => s.target === "cpu_peak")!;
    expect(peak.folds).toBe(3);
    expect(peak.rows).toBe(3 * 70);
    // The naive sees last month's batch and misses the coming one almost every time.
    expect(peak.maeNaive!).toBeGreaterThan(10);
    expect(peak.maeForest!).toBeLessThan(0.6 * peak.maeNaive!);
    const p95 = output.scores.find((s) => s.target === "cpu_p95")!;
    expect(p95.maeForest!).toBeLessThan(p95.maeNaive!);
    // No memory was measured: no memory targets, rather than empty ones.
    expect(output.scores.map((s) => s.target)).toEqual(["cpu_p95", "cpu_peak"]);
  });

  it("predicts the next horizon for every VM, inside its band, with importances", () => {
    const predictions = output.predictions.cpu_peak;
    expect(predictions).toHaveLength(70);
    for (const p of predictions) {
      expect(p.low).toBeLessThanOrEqual(p.point);
      expect(p.point).toBeLessThanOrEqual(p.high);
      expect(p.high).toBeLessThanOrEqual(100);
    }
    const importance = output.importance.cpu_peak;
    expect(importance.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(output.trainingRows.cpu_peak).toBe(dataset.rows.cpu.length);
  });

  it("is deterministic for a seed, and another seed grows other trees", async () => {
    expect(withoutTimes(await fitTargets(dataset, settings, 7, inThread))).toEqual(withoutTimes(output));
    const other = await fitTargets(dataset, settings, 8, inThread);
    expect(other.predictions.cpu_peak).not.toEqual(output.predictions.cpu_peak);
  });

  it("trains the same forests in worker threads", async () => {
    const pool = await createPool(2);
    try {
      const inWorkers = await fitTargets(dataset, settings, 7, (task) => pool.run(task));
      expect(withoutTimes(inWorkers)).toEqual(withoutTimes(output));
      // A task that cannot train fails alone; the worker serves the next one.
      const empty = {
        x: new Float64Array(0),
        features: 18,
        y: new Float64Array(0),
        predict: new Float64Array(0),
      };
      await expect(pool.run({ ...empty, trees: 1, maxDepth: 2, rowsPerTree: 10, seed: 1 })).rejects.toThrow(
        /forest training failed/,
      );
      const x = Float64Array.from({ length: 18 * 40 }, (_, i) => i % 7);
      const ok = await pool.run({
        x,
        features: 18,
        y: Float64Array.from({ length: 40 }, (_, i) => i),
        predict: x.slice(0, 18),
        trees: 2,
        maxDepth: 2,
        rowsPerTree: 40,
        seed: 1,
      });
      expect(ok.treePredictions).toHaveLength(2);
    } finally {
      await pool.close();
    }
  });
});
