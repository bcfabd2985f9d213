/** bigquery:// through the real @google-cloud/bigquery client against a local replaying REST server. */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../core/config.ts";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { ingestPaths } from "../../../ingest/load.ts";
import { resolveTargets } from "../../../ingest/providers.ts";
import { generateEstate, type GenerateResult } from "../../../orchestrator/estate-generator/generate.ts";
import { type BigQueryStub, type Field, startBigQueryStub } from "../../helpers/bigquery-stub.ts";
import { quiet, tempDir } from "../../helpers/tmp.ts";

const text = (name: string): Field => ({ name, type: "STRING" });
const float = (name: string): Field => ({ name, type: "FLOAT" });
const record = (name: string, fields: Field[], mode?: "REPEATED"): Field => ({
  name,
  type: "RECORD",
  fields,
  ...(mode ? { mode } : {}),
});
const keyValue = [text("key"), text("value")];
/** The Cloud Billing standard export schema (the columns our generator writes). */
const SCHEMA: Field[] = [
  text("billing_account_id"),
  record("service", [text("id"), text("description")]),
  record("sku", [text("id"), text("description")]),
  { name: "usage_start_time", type: "TIMESTAMP" },
  { name: "usage_end_time", type: "TIMESTAMP" },
  record("project", [
    text("id"),
    text("name"),
    record("labels", keyValue, "REPEATED"),
    text("ancestry_numbers"),
  ]),
  record("labels", keyValue, "REPEATED"),
  record("system_labels", keyValue, "REPEATED"),
  record("location", [text("location"), text("country"), text("region"), text("zone")]),
  { name: "export_time", type: "TIMESTAMP" },
  float("cost"),
  text("currency"),
  float("currency_conversion_rate"),
  record("usage", [float("amount"), text("unit"), float("amount_in_pricing_units"), text("pricing_unit")]),
  record("credits", [text("name"), float("amount"), text("full_name"), text("id"), text("type")], "REPEATED"),
  record("invoice", [text("month")]),
  text("cost_type"),
  record("resource", [text("name"), text("global_name")]),
];

let stub: BigQueryStub;
let estate: GenerateResult;
let october: string;

beforeAll(async () => {
  process.env.METADATA_SERVER_DETECTION = "none";
  estate = await generateEstate(
    { seed: 9, resources: 60, days: 20, endDate: "2026-10-31" },
    tempDir(),
    quiet,
  );
  october = estate.files.find((f) => /invoice_month=202610\/.*\.json$/.test(f))!;
  const rows = readFileSync(october, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  stub = await startBigQueryStub(SCHEMA, rows);
});

afterAll(async () => {
  await stub?.close();
});

describe("ingest from bigquery://", () => {
  it("queries whole invoice months from --since and loads them as the NDJSON export would load", async () => {
    const dataDir = tempDir();
    const config = loadConfig({ dataDir, env: {}, cwd: dataDir });
    config.sources.bigquery = { apiEndpoint: stub.url };
    const [local] = await resolveTargets(
      ["bigquery://acme-billing.billing_export.gcp_billing_export_v1_ACME"],
      {
        cacheDir: config.paths.cache,
        config,
        progress: quiet,
        since: "2026-10",
      },
    );
    expect(stub.queries.at(-1)!.query).toBe(
      "SELECT * FROM `acme-billing.billing_export.gcp_billing_export_v1_ACME` WHERE invoice.month >= @month ORDER BY invoice.month",
    );
    expect(JSON.stringify(stub.queries.at(-1)!.params)).toContain("202610");
    const w = await Warehouse.open({ path: ":memory:" });
    const [viaApi] = await ingestPaths(w, [local!], { lakeDir: tempDir() }, quiet);
    const [fromFile] = await ingestPaths(
      await Warehouse.open({ path: ":memory:" }),
      [october],
      { lakeDir: tempDir() },
      quiet,
    );
    expect(viaApi).toMatchObject({
      format: "gcp_bq_json",
      status: "loaded",
      rows: fromFile!.rows,
      billingPeriods: ["2026-10"],
    });
    expect(viaApi!.totals).toEqual(fromFile!.totals);
    await w.close();
  });

  it("needs --since", async () => {
    const config = loadConfig({ dataDir: tempDir(), env: {} });
    await expect(
      resolveTargets(["bigquery://acme-billing.billing_export.t"], {
        cacheDir: config.paths.cache,
        config,
        progress: quiet,
      }),
    ).rejects.toThrow(/pass --since YYYY-MM/);
  });
});
