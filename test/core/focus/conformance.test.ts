/** The FOCUS conformance checker, driven by the official rules model. */
import path from "node:path";

import { beforeAll, describe, expect, it } from "vitest";
import { checkConformance } from "../../../core/focus/conformance.ts";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { ingestPaths } from "../../../ingest/load.ts";
import { landedRelation } from "../../../ingest/raw-views.ts";
import { generateEstate, type GenerateResult } from "../../../orchestrator/estate-generator/generate.ts";
import { FIXTURES, quiet, tempDir } from "../../helpers/tmp.ts";

/** What the generated Oracle Cloud tenancy supports (FOCUS applicability criteria). */
const OCI_CRITERIA = [
  "ACCOUNT_NAMING_SUPPORTED",
  "SUB_ACCOUNT_SUPPORTED",
  "REGION_SUPPORTED",
  "TAGGING_SUPPORTED",
  "PUBLIC_PRICE_LIST_SUPPORTED",
  "UNIT_PRICING_SUPPORTED",
  "USAGE_MEASUREMENT_SUPPORTED",
  "RESOURCE_TYPE_ASSIGNMENT_SUPPORTED",
  "BILLING_BASED_ON_PROVISIONED_RESOURCES_SUPPORTED",
];

let estate: GenerateResult;
beforeAll(async () => {
  estate = await generateEstate(
    { seed: 21, resources: 120, days: 40, endDate: "2026-10-31" },
    tempDir(),
    quiet,
  );
});

async function load(file: string): Promise<Warehouse> {
  const w = await Warehouse.open({ path: ":memory:" });
  await ingestPaths(w, [file], { lakeDir: tempDir() }, quiet);
  return w;
}

describe("FOCUS conformance", () => {
  it("evaluates all 621 rules of the model", async () => {
    const w = await load(path.join(estate.outDir, "focus"));
    const report = await checkConformance(w, await landedRelation(w, "raw.focus_cost_lines"), {
      criteria: OCI_CRITERIA,
    });
    expect(report.rules).toHaveLength(621);
    expect(report.passed + report.failed + report.skipped).toBe(621);
    await w.close();
  });

  it("passes every applicable MUST rule on the generated FOCUS 1.2 export", async () => {
    const w = await load(path.join(estate.outDir, "focus"));
    const report = await checkConformance(w, await landedRelation(w, "raw.focus_cost_lines"), {
      criteria: OCI_CRITERIA,
    });
    expect(report.rules.filter((r) => r.status === "fail" && /^MUST/.test(r.keyword))).toEqual([]);
    expect(report.passed).toBeGreaterThan(300);
    await w.close();
  });

  it("reports the real FOCUS 1.0 sample's own failures, and only those", async () => {
    const w = await load(path.join(FIXTURES, "focus/focus10_multicloud_sample_1000.csv"));
    const report = await checkConformance(w, await landedRelation(w, "raw.focus_cost_lines"), {
      version: "1.0",
    });
    const failing = report.rules.filter(
      (r) => r.status === "fail" && /^MUST/.test(r.keyword) && !/-(C-000|D-00\d)-/.test(r.id),
    );
    expect(failing.map((r) => r.id)).toEqual([
      "BilledCost-C-005-C", // marketplace rows with a third-party issuer billed non-zero
      "BillingPeriodEnd-C-002-M", // timestamps written "YYYY-MM-DD HH:MM:SS", not ISO 8601 UTC
      "BillingPeriodStart-C-002-M",
      "ChargeFrequency-C-003-M", // "Usage-based" case drift
      "ChargePeriodEnd-C-002-M",
      "ChargePeriodStart-C-002-M",
      "ConsumedQuantity-C-003-C",
      "ConsumedQuantity-C-004-C",
      "ContractedCost-C-003-M",
      "ContractedCost-C-004-M",
      "ContractedUnitPrice-C-004-M",
      "ContractedUnitPrice-C-006-C",
      "ContractedUnitPrice-C-008-C",
      "ContractedUnitPrice-C-009-C",
      "ContractedUnitPrice-C-011-C",
      "ListCost-C-009-C",
      "ListUnitPrice-C-007-C",
      "ListUnitPrice-C-010-C",
      "PricingCategory-C-002-M",
      "PricingCategory-C-004-C",
      "RegionName-C-003-C",
      "RegionName-C-004-C",
      "RegionName-C-005-C",
      "ResourceType-C-003-C",
      "ResourceType-C-004-C",
      "ServiceName-C-004-C",
      "ServiceName-C-005-C",
      "SkuPriceId-C-003-M",
      "SkuPriceId-C-005-C",
    ]);
    expect(report.rules.find((r) => r.id === "ChargeFrequency-C-003-M")!.failing).toBe(7);
    // Rules about columns FOCUS added after 1.0 do not apply to 1.0 data.
    expect(report.rules.find((r) => r.id === "InvoiceId-C-001-M")).toMatchObject({ status: "skipped" });
    await w.close();
  });

  it("fails a dataset with a value outside an allowed list, counting the rows", async () => {
    const file = estate.files.find((f) => /focus-1\.2_2026-10\.csv$/.test(f))!;
    const w = await load(file);
    await w.run(
      "CREATE TABLE broken AS SELECT * REPLACE (CASE WHEN _load_id IS NOT NULL AND ChargeCategory = 'Usage' THEN 'Usages' ELSE ChargeCategory END AS ChargeCategory) FROM raw.focus_cost_lines",
    );
    const report = await checkConformance(w, "broken", { criteria: OCI_CRITERIA });
    const rule = report.rules.find((r) => r.id === "ChargeCategory-C-003-M")!;
    expect(rule.status).toBe("fail");
    expect(rule.failing).toBeGreaterThan(0);
    expect(report.mustFailures).toBeGreaterThan(0);
    await w.close();
  });
});
