import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { beforeAll, describe, expect, it } from "vitest";
import { type GenerateResult, generateEstate } from "../../../orchestrator/estate-generator/generate.ts";
import { FIXTURES, quiet, tempDir } from "../../helpers/tmp.ts";

const options = { seed: 7, resources: 120, days: 40, endDate: "2026-10-31" };
let first: GenerateResult;
let second: GenerateResult;

async function columnsOf(sql: string): Promise<string[]> {
  const instance = await DuckDBInstance.create(":memory:");
  const con = await instance.connect();
  const reader = await con.runAndReadAll(`DESCRIBE ${sql}`);
  const names = reader.getRowObjectsJson().map((r) => String(r.column_name));
  con.closeSync();
  instance.closeSync();
  return names;
}

const csvHeader = (file: string) =>
  (file.endsWith(".gz") ? gunzipSync(readFileSync(file)).toString("utf8") : readFileSync(file, "utf8"))
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)[0]!
    .split(",")
    .map((c) => c.replace(/^"|"$/g, ""));
const find = (r: GenerateResult, pattern: RegExp) => r.files.find((f) => pattern.test(f))!;

beforeAll(async () => {
  first = await generateEstate(options, tempDir(), quiet);
  second = await generateEstate(options, tempDir(), quiet);
});

describe("cco generate", () => {
  it("writes the same bytes for the same seed", () => {
    const digest = (r: GenerateResult) =>
      r.files.map(
        (f) => `${path.relative(r.outDir, f)} ${createHash("sha256").update(readFileSync(f)).digest("hex")}`,
      );
    expect(first.files.length).toBeGreaterThan(20);
    expect(digest(second)).toEqual(digest(first));
  });

  it("writes something different for another seed", async () => {
    const other = await generateEstate({ ...options, seed: 8 }, tempDir(), quiet);
    expect(readFileSync(find(other, /truth\.json$/), "utf8")).not.toEqual(
      readFileSync(find(first, /truth\.json$/), "utf8"),
    );
  });

  it("lists every kind of planted case in truth.json with its expected savings", () => {
    const kinds = new Set(first.truth.cases.map((c) => c.case));
    expect([...kinds].sort()).toEqual(
      [
        "gp2_volume",
        "idle_vm",
        "nonprod_24x7",
        "old_snapshot",
        "oversized_vm",
        "peaky_vm",
        "previous_generation_vm",
        "protected_vm",
        "spot_candidate",
        "stopped_vm_disk",
        "unassociated_ip",
        "unattached_disk",
      ].sort(),
    );
    for (const c of first.truth.cases) {
      expect(c.expected_monthly_savings).toMatch(/^\d+\.\d\d$/);
      if (c.case === "peaky_vm") expect(c).toMatchObject({ expected_finding: null, must_not: "any" });
      else if (c.case === "protected_vm")
        expect(c).toMatchObject({ expected_finding: null, must_not: "any" });
      else expect(Number(c.expected_monthly_savings)).toBeGreaterThan(0);
    }
    // Anomalies need four weeks of history before them: a 40-day window has room for none.
    expect(first.truth.anomalies).toEqual([]);
    expect(first.truth.commitments.map((c) => c.type).sort()).toEqual([
      "committed_use_discount",
      "reservation",
      "reserved_instance",
      "savings_plan",
    ]);
    expect(first.truth.currencies).toEqual(["EUR", "USD"]);
    expect(first.truth.one_off_lines.map((l) => l.kind)).toContain("refund");
  });

  it("writes CUR 2.0 Parquet with the column names of the real CUR 2.0 sample", async () => {
    const generated = await columnsOf(
      `SELECT * FROM read_parquet('${find(first, /cur2.*\.parquet$/)}', hive_partitioning = false)`,
    );
    const sample = new Set(csvHeader(path.join(FIXTURES, "aws/cur2_fivetran_dbt_seed.csv")));
    expect(generated.filter((c) => !sample.has(c))).toEqual([]);
    const types = await columnsOf(
      `SELECT resource_tags, line_item_unblended_cost FROM read_parquet('${find(first, /cur2.*\.parquet$/)}', hive_partitioning = false)`,
    );
    expect(types).toEqual(["resource_tags", "line_item_unblended_cost"]);
  });

  it("writes legacy CUR CSV.gz with the real legacy CUR headers", async () => {
    const generated = await columnsOf(
      `SELECT * FROM read_csv('${find(first, /cur-legacy.*\.csv\.gz$/)}', header = true, all_varchar = true)`,
    );
    const known = new Set([
      ...(await columnsOf(
        `SELECT * FROM read_csv('${path.join(FIXTURES, "aws/cur_legacy_nise_koku_2018-06.csv.gz")}', header = true, all_varchar = true)`,
      )),
      ...csvHeader(path.join(FIXTURES, "aws/cur_legacy_anon_focusconv.csv")),
      ...csvHeader(path.join(FIXTURES, "aws/cur_legacy_costcategory_koku_2023-06.csv")),
    ]);
    expect(generated.filter((c) => !known.has(c) && !c.startsWith("resourceTags/user:"))).toEqual([]);
  });

  it("writes Azure MCA cost details with every column of the real MCA export, partitioned with manifests", () => {
    const generated = csvHeader(find(first, /acme-actualcost\/.*\/part_0_0001\.csv$/));
    const mca = csvHeader(path.join(FIXTURES, "azure/mca_camelcase_koku.csv"));
    const camel = csvHeader(path.join(FIXTURES, "azure/opencost_headerset_enterprisecamel.csv"));
    expect(mca.filter((c) => !generated.includes(c))).toEqual([]);
    expect(generated.filter((c) => !mca.includes(c) && !camel.includes(c))).toEqual([]);
    expect(csvHeader(find(first, /acme-amortizedcost\/.*\/part_0_0001\.csv$/))).toEqual(generated);
    // Which dataset the parts are is said only by their manifest, as Azure does.
    const manifest = JSON.parse(readFileSync(find(first, /acme-amortizedcost\/.*\/manifest\.json$/), "utf8"));
    expect(manifest.exportConfig.type).toBe("AmortizedCost");
    expect(manifest.blobs.map((b: { blobName: string }) => b.blobName.split("/").pop())).toEqual([
      "part_0_0001.csv",
    ]);
  });

  it("writes GCP BigQuery export NDJSON whose flattened fields are the real export's columns", () => {
    const line = JSON.parse(readFileSync(find(first, /gcp_billing_export.*\.json$/), "utf8").split("\n")[0]!);
    const flatten = (o: Record<string, unknown>, prefix = ""): string[] =>
      Object.entries(o).flatMap(([k, v]) =>
        v && typeof v === "object" && !Array.isArray(v) && k !== "labels"
          ? flatten(v as Record<string, unknown>, `${prefix}${k}.`)
          : [`${prefix}${k}`],
      );
    const sample = csvHeader(path.join(FIXTURES, "gcp/bq_export_csv_resource_koku_2022-08.csv")).filter(
      (c) => c !== "partition_date",
    );
    expect(flatten(line).sort()).toEqual(sample.sort());
    expect(line.usage_start_time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
  });

  it("writes OCI's daily FOCUS reports with exactly the FOCUS 1.2 columns, then OCI's own", () => {
    const schema = JSON.parse(
      readFileSync(path.join(FIXTURES, "azure/schema_ftk_focuscost_1.2.json"), "utf8"),
    );
    const focus12 = schema.translator.mappings
      .map((m: { source: { name: string } }) => m.source.name)
      .filter((n: string) => !n.startsWith("x_"));
    const day = find(first, /FOCUS Reports\/\d{4}\/\d{2}\/\d{2}\/[^/]+\.csv\.gz$/);
    const header = csvHeader(day);
    expect(header.filter((c) => !c.startsWith("oci_")).sort()).toEqual(focus12.sort());
    expect(header.filter((c) => c.startsWith("oci_")).length).toBeGreaterThan(0);
  });

  it("writes hourly metrics in the documented layout, memory only where an agent reports it", async () => {
    const file = find(first, /metrics\/aws\/.*\.parquet$/);
    expect(await columnsOf(`SELECT * FROM read_parquet('${file}', hive_partitioning = false)`)).toEqual([
      "timestamp",
      "provider",
      "resource_id",
      "cpu_avg_pct",
      "cpu_max_pct",
      "memory_avg_pct",
      "memory_max_pct",
      "network_in_bytes",
      "network_out_bytes",
      "disk_read_bytes",
      "disk_write_bytes",
    ]);
    expect(first.metricRows).toBeGreaterThan(24 * 40 * 10);
    // Memory where an agent reports it: some VMs have it, others leave it empty.
    const instance = await DuckDBInstance.create(":memory:");
    const con = await instance.connect();
    const reader = await con.runAndReadAll(
      `SELECT count(DISTINCT resource_id) FILTER (WHERE memory_avg_pct IS NULL)::INTEGER AS without_agent,
         count(DISTINCT resource_id) FILTER (WHERE memory_avg_pct IS NOT NULL)::INTEGER AS with_agent
       FROM read_parquet('${file}', hive_partitioning = false)`,
    );
    const [{ without_agent, with_agent }] = reader.getRowObjectsJson() as [
      { without_agent: number; with_agent: number },
    ];
    con.closeSync();
    instance.closeSync();
    expect(without_agent).toBeGreaterThan(0);
    expect(with_agent).toBeGreaterThan(0);
  });
});
