/**
 * Without an inventory the detectors fall back to what billing and metrics show, and say so:
 * every billing-based detector keeps its targets; idle addresses are found where the bill tells
 * them apart (AWS IdleAddress, GCP Static Ip Charge); what only an inventory can tell (an
 * unattached disk, a disk's VM, a snapshot's creation before the billing window) is not guessed.
 */
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config.ts";
import { closeWarehouse, openWarehouse, type Warehouse } from "../../core/warehouse/warehouse.ts";
import { evaluateRecommendations } from "../../ml/recommend/evaluate.ts";
import { recommendationsForEvaluation } from "../../ml/recommend/report.ts";
import { generateEstate } from "../../orchestrator/estate-generator/generate.ts";
import type { Truth } from "../../orchestrator/estate-generator/truth.ts";
import { runPipeline } from "../../orchestrator/pipeline.ts";
import { quiet, tempDir } from "../helpers/tmp.ts";

let warehouse: Warehouse;
let truth: Truth;

beforeAll(async () => {
  const dataDir = tempDir();
  const config = loadConfig({ dataDir, env: {} });
  const estate = config.paths.estate;
  await generateEstate({ seed: 5, resources: 300, days: 60, endDate: "2026-10-31" }, estate, quiet);
  rmSync(path.join(estate, "inventory"), { recursive: true });
  truth = JSON.parse(readFileSync(path.join(estate, "truth.json"), "utf8")) as Truth;
  warehouse = await openWarehouse(config);
  await runPipeline(warehouse, config, { demo: false, inputs: [estate] }, quiet);
  return closeWarehouse;
}, 300_000);

const INVENTORY_ONLY = ["unattached_volume", "stopped_vm_volume", "old_snapshot"];

describe("recommendations without an inventory", () => {
  it("keep every billing-based detector's targets and guess nothing only an inventory can tell", async () => {
    const targets = { precision: 0.95, recall: 0.9, savings_tolerance: 0.05, review_utilization: 0.8 };
    const e = evaluateRecommendations(await recommendationsForEvaluation(warehouse), truth, targets);
    for (const d of e.detectors) {
      if (INVENTORY_ONLY.includes(d.detector)) expect([d.detector, d.found]).toEqual([d.detector, 0]);
      else if (d.detector !== "idle_address") expect([d.detector, d.met]).toEqual([d.detector, true]);
    }
    expect(e.violations).toEqual([]);
  });

  it("find idle addresses where the bill tells them apart, and say the billing is their source", async () => {
    const expected = truth.cases
      .filter((c) => c.case === "unassociated_ip" && ["aws", "gcp"].includes(c.provider))
      .map((c) => c.resource_id)
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    const found = await warehouse.all<{ resource_id: string; data_source: string }>(
      "select resource_id, data_source from marts.recommendations where detector = 'idle_address' order by 1",
    );
    expect(found).toEqual(expected.map((resource_id) => ({ resource_id, data_source: "billing" })));
  });
});
