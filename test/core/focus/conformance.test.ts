/** The FOCUS conformance checker, driven by the official rules model, on whole datasets. */
import path from "node:path";

import { beforeAll, describe, expect, it } from "vitest";
import { checkConformance, type FileCounts } from "../../../core/focus/conformance.ts";
import { loadModel } from "../../../core/focus/model.ts";
import { litList } from "../../../core/sql.ts";
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
let focusFiles: string[];
beforeAll(async () => {
  estate = await generateEstate(
    { seed: 21, resources: 120, days: 40, endDate: "2026-10-31" },
    tempDir(),
    quiet,
  );
  // OCI's daily FOCUS reports: FOCUS Reports/YYYY/MM/DD/<name>.csv.gz.
  focusFiles = estate.files.filter((f) => /FOCUS Reports\/\d{4}\/\d{2}\/\d{2}\/[^/]+\.csv\.gz$/.test(f));
});

async function load(file: string): Promise<Warehouse> {
  const w = await Warehouse.open({ path: ":memory:" });
  await ingestPaths(w, [file], { lakeDir: tempDir() }, quiet);
  return w;
}

describe("FOCUS conformance of the generated FOCUS 1.2 export", () => {
  it("reports each rule of the model once, over every row of the export", async () => {
    const w = await load(path.join(estate.outDir, "focus"));
    const report = await checkConformance(w, await landedRelation(w, "raw.focus_cost_lines"), {
      criteria: OCI_CRITERIA,
    });
    expect(report.rules.map((r) => r.id)).toEqual(Object.keys(loadModel().ModelRules).sort());
    // The files' rows, read straight from the CSVs rather than through the ingest.
    const [files] = await w.all<{ n: string }>(
      `SELECT count(*)::VARCHAR AS n FROM read_csv([${litList(focusFiles)}], header = true)`,
    );
    expect(focusFiles).toHaveLength(40); // one a day
    expect(report.rowsChecked).toBe(Number(files!.n));
    await w.close();
  });

  it("passes every applicable MUST rule", async () => {
    const w = await load(path.join(estate.outDir, "focus"));
    const report = await checkConformance(w, await landedRelation(w, "raw.focus_cost_lines"), {
      criteria: OCI_CRITERIA,
    });
    expect(report.rules.filter((r) => r.status === "fail" && /^MUST/.test(r.keyword))).toEqual([]);
    expect(report.passed).toBeGreaterThan(300);
    await w.close();
  });

  it("counts every row that breaks an allowed-values rule", async () => {
    const file = focusFiles.find((f) => f.includes("/2026/10/31/"))!;
    const w = await load(file);
    const relation = await landedRelation(w, "raw.focus_cost_lines");
    await w.run(
      `CREATE TABLE broken AS SELECT * REPLACE (CASE WHEN ChargeCategory = 'Usage' THEN 'Usages' ELSE ChargeCategory END AS ChargeCategory) FROM ${relation}`,
    );
    const [usage] = await w.all<{ n: string }>(
      `SELECT count(*)::VARCHAR AS n FROM read_csv(['${file}'], header = true) WHERE ChargeCategory = 'Usage'`,
    );
    expect(Number(usage!.n)).toBeGreaterThan(0);
    const report = await checkConformance(w, "broken", { criteria: OCI_CRITERIA });
    expect(report.rules.find((r) => r.id === "ChargeCategory-C-003-M")).toMatchObject({
      status: "fail",
      failing: Number(usage!.n),
    });
    expect(report.mustFailures).toBeGreaterThan(0);
    await w.close();
  });

  it("counted file by file, gives the whole relation's result and reads a file counted before no more", async () => {
    const w = await load(path.join(estate.outDir, "focus"));
    const relation = await landedRelation(w, "raw.focus_cost_lines");
    const dir = tempDir();
    const files = [path.join(dir, "a.parquet"), path.join(dir, "b.parquet")];
    // Two files split by day, as focus_costs is split by billing period.
    await w.run(
      `COPY (SELECT * FROM ${relation} WHERE ChargePeriodStart < '2026-10-15') TO '${files[0]}' (FORMAT parquet)`,
    );
    await w.run(
      `COPY (SELECT * FROM ${relation} WHERE ChargePeriodStart >= '2026-10-15') TO '${files[1]}' (FORMAT parquet)`,
    );
    await w.run(
      `CREATE VIEW split_focus AS SELECT * FROM read_parquet([${litList(files)}], union_by_name = true)`,
    );
    const whole = await checkConformance(w, "split_focus", { criteria: OCI_CRITERIA });
    const counts: FileCounts = { files: {} };
    const byFile = await checkConformance(w, "split_focus", {
      criteria: OCI_CRITERIA,
      files: { paths: files, counts },
    });
    expect(byFile).toEqual(whole);
    expect(Object.keys(counts.files)).toEqual(files);
    // Counts kept for a file are used as they are: a changed count shows the file was not read.
    counts.files[files[0]!]!.rows += 1000;
    const again = await checkConformance(w, "split_focus", {
      criteria: OCI_CRITERIA,
      files: { paths: files, counts },
    });
    expect(again.rowsChecked).toBe(whole.rowsChecked + 1000);
    // Other rules (another fingerprint): every file is counted again.
    counts.leaves = "rules of another version";
    const recounted = await checkConformance(w, "split_focus", {
      criteria: OCI_CRITERIA,
      files: { paths: files, counts },
    });
    expect(recounted).toEqual(whole);
    await w.close();
  });

  it("says when there was no row to check", async () => {
    const w = await load(path.join(estate.outDir, "focus"));
    const relation = await landedRelation(w, "raw.focus_cost_lines");
    await w.run(`CREATE TABLE empty AS SELECT * FROM ${relation} LIMIT 0`);
    const report = await checkConformance(w, "empty", { criteria: OCI_CRITERIA });
    expect(report.rowsChecked).toBe(0);
    await w.close();
  });
});

/**
 * The rules the real FOCUS 1.0 multi-cloud sample (AWS 942 rows, Microsoft 51, Oracle 7)
 * breaks, with the rows that break each and why, as read in the data.
 */
const SAMPLE_10_LEAF_FAILURES: Record<string, [rows: number, why: string]> = {
  "BilledCost-C-005-C": [
    615,
    "ProviderName 'AWS' differs from InvoiceIssuerName 'Amazon Web Services…' on every AWS row, so all count as third-party billed; the 615 whose BilledCost is not 0 fail",
  ],
  "BillingPeriodEnd-C-002-M": [1000, "every row writes 'YYYY-MM-DD HH:MM:SS', not ISO 8601 UTC ('…T…Z')"],
  "BillingPeriodStart-C-002-M": [1000, "same format on every row"],
  "ChargePeriodEnd-C-002-M": [1000, "same format on every row"],
  "ChargePeriodStart-C-002-M": [1000, "same format on every row"],
  "ChargeFrequency-C-003-M": [7, "the 7 Oracle rows spell it 'Usage-based', not 'Usage-Based'"],
  "ConsumedQuantity-C-004-C": [2, "2 Oracle Adjustment rows carry a ConsumedQuantity (128 and 8)"],
  "ContractedCost-C-003-M": [7, "the 7 Oracle rows have no ContractedCost"],
  "ContractedCost-C-004-M": [7, "the model encodes 'valid decimal' as not null: the same 7 Oracle rows"],
  "ContractedUnitPrice-C-006-C": [5, "the 5 Oracle Usage rows have no ContractedUnitPrice"],
  "ContractedUnitPrice-C-009-C": [1, "one AWS credit row has ContractedUnitPrice -3"],
  "ContractedUnitPrice-C-011-C": [
    17,
    "17 AWS rows whose ContractedUnitPrice is a rounded whole number (1, 2, 5, 49, -3), so × PricingQuantity misses ContractedCost",
  ],
  "ListCost-C-009-C": [
    25,
    "25 Microsoft rows: ListUnitPrice × PricingQuantity is 10,000 times below ListCost",
  ],
  "ListUnitPrice-C-010-C": [25, "the same 25 Microsoft rows"],
  "PricingCategory-C-004-C": [5, "the 5 Oracle Usage rows have no PricingCategory"],
  "RegionName-C-004-C": [7, "7 Oracle rows name a region (us-sanjose-1, us-phoenix-1) without a RegionId"],
  "RegionName-C-005-C": [2, "2 AWS rows have a RegionId (global, us-east-1) without a RegionName"],
  "ResourceType-C-004-C": [36, "36 AWS rows have a ResourceType (e.g. 'bucket') without a ResourceId"],
  "ServiceName-C-005-C": [
    1,
    "'Amazon Elastic Compute Cloud' is both Compute and Storage (one ServiceName group)",
  ],
  "SkuPriceId-C-005-C": [5, "the 5 Oracle Usage rows have no SkuPriceId"],
};

/** The requirements that group those rules, failing through the parts named. */
const SAMPLE_10_COMPOSITE_FAILURES: Record<string, string[]> = {
  "BilledCost-C-000-M": ["BilledCost-C-005-C"],
  "BillingPeriodEnd-C-000-M": ["BillingPeriodEnd-C-002-M"],
  "BillingPeriodStart-C-000-M": ["BillingPeriodStart-C-002-M"],
  "ChargeFrequency-C-000-O": ["ChargeFrequency-C-003-M"],
  "ChargePeriodEnd-C-000-M": ["ChargePeriodEnd-C-002-M"],
  "ChargePeriodStart-C-000-M": ["ChargePeriodStart-C-002-M"],
  "ConsumedQuantity-C-003-C": ["ConsumedQuantity-C-004-C"],
  "ContractedCost-C-000-M": ["ContractedCost-C-003-M", "ContractedCost-C-004-M"],
  "ContractedUnitPrice-C-004-M": ["ContractedUnitPrice-C-006-C"],
  "ContractedUnitPrice-C-008-C": ["ContractedUnitPrice-C-009-C", "ContractedUnitPrice-C-011-C"],
  "ListCost-C-000-M": ["ListCost-C-009-C"],
  "ListUnitPrice-C-007-C": ["ListUnitPrice-C-010-C"],
  "PricingCategory-C-000-M": ["PricingCategory-C-002-M"],
  "PricingCategory-C-002-M": ["PricingCategory-C-004-C"],
  "RegionName-C-003-C": ["RegionName-C-004-C", "RegionName-C-005-C"],
  "ResourceType-C-003-C": ["ResourceType-C-004-C"],
  "ServiceName-C-000-M": ["ServiceName-C-004-C"],
  "ServiceName-C-004-C": ["ServiceName-C-005-C"],
  "SkuPriceId-C-003-M": ["SkuPriceId-C-005-C"],
  "CostAndUsage-D-000-M": ["CostAndUsage-D-002-M"],
  "CostAndUsage-D-002-M": [
    "BilledCost-C-000-M",
    "BillingPeriodEnd-C-000-M",
    "BillingPeriodStart-C-000-M",
    "ChargeFrequency-C-000-O",
    "ChargePeriodEnd-C-000-M",
    "ChargePeriodStart-C-000-M",
    "ContractedCost-C-000-M",
    "ListCost-C-000-M",
    "PricingCategory-C-000-M",
    "ServiceName-C-000-M",
  ],
};

describe("FOCUS conformance of the real FOCUS 1.0 sample", () => {
  it("fails exactly the rules the sample's data breaks, each by the rows that break it", async () => {
    const w = await load(path.join(FIXTURES, "focus/focus10_multicloud_sample_1000.csv"));
    const report = await checkConformance(w, await landedRelation(w, "raw.focus_cost_lines"), {
      version: "1.0",
    });
    expect(report.rowsChecked).toBe(1000);
    const failed = report.rules.filter((r) => r.status === "fail");
    expect(Object.fromEntries(failed.filter((r) => r.failing).map((r) => [r.id, r.failing]))).toEqual(
      Object.fromEntries(Object.entries(SAMPLE_10_LEAF_FAILURES).map(([id, [rows]]) => [id, rows])),
    );
    expect(Object.fromEntries(failed.filter((r) => !r.failing).map((r) => [r.id, r.reason]))).toEqual(
      Object.fromEntries(
        Object.entries(SAMPLE_10_COMPOSITE_FAILURES).map(([id, parts]) => [id, `fails: ${parts.join(", ")}`]),
      ),
    );
    // Rules about columns FOCUS added after 1.0 do not apply to 1.0 data.
    expect(report.rules.find((r) => r.id === "InvoiceId-C-001-M")).toMatchObject({
      status: "skipped",
      reason: "InvoiceId was added in FOCUS 1.2",
    });
    await w.close();
  });
});
