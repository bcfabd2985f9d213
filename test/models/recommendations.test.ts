/**
 * The recommendations end to end on a generated estate (another seed than the demo's): the
 * detectors, the risk job and marts.recommendations measured against the planted truth, the
 * history across runs, and the fallbacks when no inventory is loaded.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../core/config.ts";
import { closeWarehouse, openWarehouse, type Warehouse } from "../../core/warehouse/warehouse.ts";
import { evaluateRecommendations } from "../../ml/recommend/evaluate.ts";
import { formatEvaluation } from "../../ml/recommend/evaluation-table.ts";
import { recommendationsForEvaluation } from "../../ml/recommend/report.ts";
import { dismiss } from "../../ml/recommend/history.ts";
import type { Truth } from "../../orchestrator/estate-generator/truth.ts";
import { recommendStage } from "../../orchestrator/stages.ts";
import { runDemo } from "../helpers/demo.ts";
import { quiet } from "../helpers/tmp.ts";
import { cco } from "../orchestrator/cli/run-cli.ts";

let warehouse: Warehouse;
let config: Config;
let dataDir: string;
let truth: Truth;

const targets = { precision: 0.95, recall: 0.9, savings_tolerance: 0.05, review_utilization: 0.8 };

beforeAll(async () => {
  ({ warehouse, config, dataDir, truth } = await runDemo(
    "generate:\n  seed: 11\n  resources: 400\n  days: 60\n",
  ));
  return closeWarehouse;
}, 300_000);

describe("recommendations on a generated estate", () => {
  it("meet every detector's targets against the planted truth, and touch no protected or peaky resource", async () => {
    const evaluation = evaluateRecommendations(await recommendationsForEvaluation(warehouse), truth, targets);
    expect(evaluation.detectors.length).toBe(13);
    expect(formatEvaluation(evaluation)).toMatch(/^PASSED: 13 of 13 detectors .*; 0 must-not violations$/m);
    for (const d of evaluation.detectors) expect(d.true_positives, d.detector).toBeGreaterThan(0);
  });

  it("assess every recommendation: five factors with evidence, a level, mitigations, effort and the plan's priority", async () => {
    const rows = await warehouse.all<{
      risk_score: number;
      risk_level: string;
      risk_factors: string;
      mitigations: string;
      effort: string;
      priority: string;
      s: string;
      explanation: string;
      evidence: string;
    }>(
      `select risk_score, risk_level, risk_factors::varchar as risk_factors, mitigations::varchar as mitigations, effort,
          priority::varchar as priority, estimated_monthly_savings::varchar as s, explanation, evidence::varchar as evidence
       from marts.recommendations`,
    );
    expect(rows.length).toBeGreaterThan(50);
    const penalty = { low: 0, medium: 2, high: 5 } as Record<string, number>;
    const bonus = { easy: 2, medium: 1, hard: 0 } as Record<string, number>;
    for (const r of rows) {
      const factors = JSON.parse(r.risk_factors) as { factor: string; score: number; evidence: string }[];
      expect(factors.map((f) => f.factor)).toEqual([
        "performance",
        "availability",
        "rollback",
        "criticality",
        "data_confidence",
      ]);
      for (const f of factors) expect(f.evidence.length).toBeGreaterThan(10);
      expect(JSON.parse(r.mitigations).length).toBeGreaterThan(0);
      expect(r.risk_level).toBe(r.risk_score >= 65 ? "high" : r.risk_score >= 35 ? "medium" : "low");
      const expected = Math.min(Number(r.s) / 1000, 10) - penalty[r.risk_level]! + bonus[r.effort]!;
      expect(Number(r.priority)).toBeCloseTo(expected, 2);
      expect(r.explanation.length).toBeGreaterThan(30);
      expect(Object.keys(JSON.parse(r.evidence)).length).toBeGreaterThan(0);
    }
  });

  it("keep their ids on a second run, record nothing new, and stay dismissed once dismissed", async () => {
    const ids = async () =>
      (
        await warehouse.all<{ id: string }>(
          "select recommendation_id as id from marts.recommendations order by 1",
        )
      ).map((r) => r.id);
    const before = await ids();
    const second = await recommendStage(warehouse, config, quiet);
    expect(await ids()).toEqual(before);
    expect(second.history).toEqual({ new: 0, open: 0, resolved: 0, superseded: 0, dismissed: 0 });
    expect(await dismiss(warehouse, before[0]!, "owner keeps it", "test")).toBe(true);
    const third = await recommendStage(warehouse, config, quiet);
    expect(third.recommendations).toBe(before.length - 1);
    expect(
      await warehouse.all(
        "select status, status_reason from marts.recommendations where recommendation_id = $1",
        [before[0]!],
      ),
    ).toEqual([{ status: "dismissed", status_reason: "owner keeps it" }]);
    expect(readFileSync(third.approvalTable, "utf8")).not.toContain(before[0]!);
  });

  it("price a size in another catalogue region where its own is not in the catalogue, and keep their targets", async () => {
    await warehouse.run("delete from marts.catalog_vm_prices where region = 'eu-west-1'");
    await recommendStage(warehouse, config, quiet);
    const evaluation = evaluateRecommendations(await recommendationsForEvaluation(warehouse), truth, targets);
    expect(formatEvaluation(evaluation)).toMatch(/^PASSED: 13 of 13 detectors/m);
    const priced = await warehouse.all<{ region: string; priced_in: string }>(
      `select distinct region, evidence ->> 'catalogue_region' as priced_in from marts.recommendations
       where detector in ('rightsizing', 'previous_generation') and region = 'eu-west-1'`,
    );
    expect(priced.length).toBeGreaterThan(0);
    for (const p of priced) expect(p.priced_in).not.toBe("eu-west-1");
  });

  it("cco recommend evaluate prints the table and exits 1 when a planted case is missed", async () => {
    await closeWarehouse();
    const truthFile = path.join(config.paths.estate, "truth.json");
    const ok = cco(["--data-dir", dataDir, "recommend", "evaluate", "--truth", truthFile]);
    expect(ok.stdout).toMatch(/^detector\s+truth\s+found\s+TP\s+FP\s+FN\s+precision\s+recall/);
    expect([ok.status, ok.stdout.trim().split("\n").at(-1)]).toEqual([
      0,
      expect.stringMatching(/^PASSED: 13 of 13/),
    ]);
    const missed = path.join(dataDir, "truth-missed.json");
    const extra = { ...truth.cases.find((c) => c.case === "idle_vm")!, resource_id: "i-not-found" };
    writeFileSync(missed, JSON.stringify({ ...truth, cases: [...truth.cases, extra, extra, extra] }));
    const miss = cco(["--data-dir", dataDir, "--json", "recommend", "evaluate", "--truth", missed]);
    expect(miss.status).toBe(1);
    expect(
      JSON.parse(miss.stdout).detectors.find((d: { detector: string }) => d.detector === "idle_vm"),
    ).toMatchObject({
      false_negatives: 3,
      met: false,
    });
    rmSync(missed);
  });

  it("take the spot discount from the billing's spot rates where the size and region have any", async () => {
    warehouse = await openWarehouse(config);
    const [candidate] = await warehouse.all<{ resource_id: string }>(
      "select resource_id from marts.recommendations where detector = 'spot' and provider = 'aws' order by 1 limit 1",
    );
    // A twin on spot: the same size, region and hours at 30% of the rate (focus_costs is a
    // view over the Parquet snapshot; here it becomes a table with the twin's rows added).
    await warehouse.run("create table main.focus_costs_copy as select * from marts.focus_costs");
    await warehouse.run(
      `insert into main.focus_costs_copy select * replace ('spot-twin' as ResourceId, 'Dynamic' as PricingCategory,
         EffectiveCost * 0.3 as EffectiveCost, BilledCost * 0.3 as BilledCost)
       from main.focus_costs_copy where ResourceId = $1 and ChargeCategory = 'Usage'`,
      [candidate!.resource_id],
    );
    await warehouse.run("create or replace view marts.focus_costs as select * from main.focus_costs_copy");
    await recommendStage(warehouse, config, quiet);
    const [spot] = await warehouse.all<{ discount: number; source: string }>(
      `select (evidence ->> 'discount')::double as discount, evidence ->> 'discount_source' as source
       from marts.recommendations where detector = 'spot' and resource_id = $1`,
      [candidate!.resource_id],
    );
    expect(spot!.source).toBe("billing");
    expect(spot!.discount).toBeCloseTo(0.7, 2);
  });
});
