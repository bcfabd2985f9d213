/**
 * Both jobs on a generated estate (the demo's size: 300 resources, 120 days; another seed than
 * the demo's): the pipeline (whose ML stage runs them), then the ML stage's forecast and anomaly
 * jobs once more as `cco ml` would, scored by their own evaluations against the targets
 * and the estate's truth.json.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../../core/config.ts";
import { closeWarehouse, type Warehouse } from "../../../core/warehouse/warehouse.ts";
import { evaluate as evaluateAnomalies } from "../../../ml/anomalies/index.ts";
import { evaluate as evaluateForecast } from "../../../ml/forecast/index.ts";
import type { JobResult } from "../../../ml/jobs.ts";
import type { Truth } from "../../../orchestrator/estate-generator/truth.ts";
import { mlStage } from "../../../orchestrator/stages.ts";
import { runDemo } from "../../helpers/demo.ts";
import { quiet } from "../../helpers/tmp.ts";

let warehouse: Warehouse;
let config: Config;
let truth: Truth;
let results: JobResult[];

beforeAll(async () => {
  ({ warehouse, config, truth } = await runDemo("generate:\n  seed: 7\n"));
  results = await mlStage(warehouse, config, quiet, ["forecast", "anomalies"]);
  return closeWarehouse;
}, 600_000);

describe("forecasts and anomalies on a generated estate", () => {
  it("plants six anomalies of three kinds, in both currencies", () => {
    expect(truth.anomalies.map((a) => a.kind).sort()).toEqual([
      "resource",
      "spike",
      "spike",
      "spike",
      "sustained",
      "sustained",
    ]);
    expect(new Set(truth.anomalies.map((a) => a.currency))).toEqual(new Set(["EUR", "USD"]));
    expect(results.map((r) => r.job)).toEqual(["forecast", "anomalies"]);
  });

  it("meets the forecast's targets: month end within 5%, MAPE 20% under seasonal naive, 95% coverage in 90-98%", async () => {
    const e = await evaluateForecast(warehouse, config, truth as never);
    for (const check of e.checks) expect(check, check.name).toMatchObject({ met: true });
    expect(e.checks).toHaveLength(3);
  });

  it("finds at least 90% of the planted anomalies with their root cause, at most one false alarm per scope per 90 days", async () => {
    const e = await evaluateAnomalies(warehouse, config, truth as never);
    for (const check of e.checks) expect(check, `${check.name}\n${e.table}`).toMatchObject({ met: true });
    expect(e.checks[0]!.value).toBeGreaterThanOrEqual(0.9);
  });
});
