/**
 * The utilization job end to end on a generated estate: the pipeline, then the ML stage's
 * utilization job (real forests in worker threads, a real DuckDB file), its tables and run record,
 * its evaluation, and the recommendations' risk reading its predictions.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../../core/config.ts";
import { closeWarehouse, type Warehouse } from "../../../core/warehouse/warehouse.ts";
import type { JobResult } from "../../../ml/jobs.ts";
import { evaluate } from "../../../ml/utilization/index.ts";
import { mlStage, recommendStage } from "../../../orchestrator/stages.ts";
import { runDemo } from "../../helpers/demo.ts";
import { quiet } from "../../helpers/tmp.ts";

let warehouse: Warehouse;
let config: Config;
let result: JobResult;

beforeAll(async () => {
  ({ warehouse, config } = await runDemo(
    "generate:\n  seed: 21\n  resources: 150\n  days: 60\nml:\n  utilization:\n    trees: 10\n    rows_per_tree: 150\n",
  ));
  result = (await mlStage(warehouse, config, quiet, ["utilization"]))[0]!;
  return closeWarehouse;
}, 300_000);

interface PredictionRow {
  resource_id: string;
  cpu_peak_pct: number;
  cpu_peak_low_pct: number;
  cpu_peak_high_pct: number;
  cpu_p95_pct: number;
  memory_peak_pct: number | null;
  naive_cpu_peak_pct: number;
  memory_measured: boolean;
  fresh: boolean;
}

const predictions = () =>
  warehouse.all<PredictionRow>(`
    select p.resource_id, cpu_peak_pct, cpu_peak_low_pct, cpu_peak_high_pct, cpu_p95_pct, memory_peak_pct,
        naive_cpu_peak_pct,
        exists (select 1 from staging.stg_metrics__hourly m where m.resource_id = p.resource_id and m.memory_max_pct is not null) as memory_measured,
        horizon_start = (select max(hour_start) + interval 1 hour from staging.stg_metrics__hourly) as fresh
    from ml.utilization_predictions p order by p.resource_id`);

const performanceEvidence = async () =>
  (
    await warehouse.all<{ evidence: string }>(`
      select risk_factors->>'$[0].evidence' as evidence from marts.recommendations
      where action = 'resize_instance' order by recommendation_id`)
  ).map((r) => r.evidence);

describe("the utilization job on a generated estate", () => {
  it("predicts every VM with enough history, from the data's end, inside its band", async () => {
    const rows = await predictions();
    const [vms] = await warehouse.all<{ n: number }>(
      "select count(*)::integer as n from marts.resources where resource_type = 'virtual_machine'",
    );
    expect(rows.length).toBe(result.rows);
    expect(rows.length).toBeGreaterThan(0.8 * vms!.n);
    for (const r of rows) {
      expect(r.fresh).toBe(true);
      expect(r.cpu_peak_low_pct).toBeLessThanOrEqual(r.cpu_peak_pct);
      expect(r.cpu_peak_pct).toBeLessThanOrEqual(r.cpu_peak_high_pct);
      expect(r.cpu_p95_pct).toBeLessThanOrEqual(r.cpu_peak_high_pct);
      // Memory is predicted exactly where an agent measures it.
      expect(r.memory_peak_pct !== null, r.resource_id).toBe(r.memory_measured);
    }
    expect(result.summary).toMatch(/VMs predicted for the next 14 days; peak CPU MAE [\d.]+ vs naive [\d.]+/);
  });

  it("records the run with its parameters, window, error table and importances", async () => {
    const [run] = await warehouse.all<{
      parameters: string;
      seed: number;
      data_end: string;
      metrics: string;
    }>(
      `select parameters::varchar as parameters, seed, data_end::varchar as data_end, metrics::varchar as metrics
       from ml.model_runs where job = 'utilization'`,
    );
    expect(JSON.parse(run!.parameters)).toMatchObject({ horizon_days: 14, trees: 10, rows_per_tree: 150 });
    expect(run!.seed).toBe(config.ml.seed);
    const metrics = JSON.parse(run!.metrics);
    expect(metrics.scores.map((s: { target: string }) => s.target)).toEqual([
      "cpu_p95",
      "cpu_peak",
      "memory_p95",
      "memory_peak",
    ]);
    expect(metrics.cpu_peak_mae_forest).toBeGreaterThanOrEqual(0);
    const backtest = await warehouse.all<{ target: string; folds: number; overall: number }>(
      `select target, count(fold_cutoff)::integer as folds, count(*) filter (where fold_cutoff is null)::integer as overall
       from ml.utilization_backtest group by target order by target`,
    );
    expect(backtest).toEqual(
      ["cpu_p95", "cpu_peak", "memory_p95", "memory_peak"].map((target) => ({
        target,
        folds: 3,
        overall: 1,
      })),
    );
    const importance = await warehouse.all<{ target: string; n: number; total: number; first: number }>(
      `select target, count(*)::integer as n, round(sum(importance), 2) as total, min(rank)::integer as first
       from ml.utilization_feature_importance group by target order by target`,
    );
    for (const i of importance) expect(i).toMatchObject({ n: 18, total: 1, first: 1 });
  });

  it("gives the same predictions when run again with the seed", async () => {
    const before = await predictions();
    await mlStage(warehouse, config, quiet, ["utilization"]);
    expect(await predictions()).toEqual(before);
  });

  it("evaluates against its targets from the last run", async () => {
    const e = await evaluate(warehouse, config, undefined);
    expect(e.table).toMatch(/^target +folds +rows +forest MAE +naive MAE/);
    expect(e.table).toMatch(/\(run [0-9a-f-]+ of .*no truth file needed/);
    expect(e.checks.map((c) => c.name)).toContain("peak CPU: forest MAE vs naive (held-out folds), % change");
    for (const c of e.checks) expect(typeof c.met).toBe("boolean");
  });

  it("feeds the recommendations' performance risk, which falls back to the measured peak without a fresh prediction", async () => {
    await recommendStage(warehouse, config, quiet);
    const predicted = await performanceEvidence();
    expect(predicted.length).toBeGreaterThan(0);
    for (const e of predicted)
      expect(e).toMatch(/^Predicted peak CPU on \S+ over the next 14 days: [\d.]+% \(band [\d.]+–[\d.]+%\)/);
    // Metrics newer than the predictions (here: the predictions made a day earlier) make them stale.
    await warehouse.run(
      "update ml.utilization_predictions set horizon_start = horizon_start - interval 1 day",
    );
    await recommendStage(warehouse, config, quiet);
    for (const e of await performanceEvidence()) expect(e).toMatch(/^The P99\.5 CPU peak would run at/);
  });
});
