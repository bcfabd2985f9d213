/** Azure and GCP exports as Parquet land like their CSV / NDJSON forms; invoiced months are marked final. */
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { beforeAll, describe, expect, it } from "vitest";
import { Warehouse } from "../../core/warehouse/warehouse.ts";
import { ingestPaths } from "../../ingest/load.ts";
import { generateEstate, type GenerateResult } from "../../orchestrator/estate-generator/generate.ts";
import { quiet, tempDir } from "../helpers/tmp.ts";

let estate: GenerateResult;
beforeAll(async () => {
  estate = await generateEstate(
    { seed: 13, resources: 80, days: 40, endDate: "2026-10-31" },
    tempDir(),
    quiet,
  );
});

async function toParquet(source: string, target: string): Promise<void> {
  const instance = await DuckDBInstance.create(":memory:");
  const con = await instance.connect();
  await con.run(`COPY (SELECT * FROM ${source}) TO '${target}' (FORMAT parquet)`);
  con.closeSync();
  instance.closeSync();
}

async function loadOne(file: string) {
  const w = await Warehouse.open({ path: ":memory:" });
  const [result] = await ingestPaths(w, [file], { lakeDir: tempDir() }, quiet);
  await w.close();
  return result!;
}

describe("Parquet exports", () => {
  it("Azure cost details as Parquet", async () => {
    const csv = estate.files.find((f) =>
      /acme-amortizedcost\/20261001-20261031\/.*\/part_0_0001\.csv$/.test(f),
    )!;
    const parquet = path.join(tempDir(), "acme-amortized_202610.parquet");
    await toParquet(`read_csv('${csv}', all_varchar = true)`, parquet);
    const [fromCsv, fromParquet] = [await loadOne(csv), await loadOne(parquet)];
    expect(fromParquet).toMatchObject({
      format: "azure_amortized",
      status: "loaded",
      rows: fromCsv.rows,
      totals: fromCsv.totals,
    });
  });

  it("GCP BigQuery export as Parquet, nested records and all", async () => {
    const json = estate.files.find((f) => /invoice_month=202610\/.*\.json$/.test(f))!;
    const parquet = path.join(tempDir(), "gcp_billing_export_202610.parquet");
    await toParquet(`read_json('${json}', format = 'newline_delimited')`, parquet);
    const [fromJson, fromParquet] = [await loadOne(json), await loadOne(parquet)];
    expect(fromParquet).toMatchObject({
      format: "gcp_bq_parquet",
      status: "loaded",
      rows: fromJson.rows,
      totals: fromJson.totals,
    });
  });
});

describe("final billing periods", () => {
  it("marks a CUR month final once its invoice id is filled, the open month not", async () => {
    const w = await Warehouse.open({ path: ":memory:" });
    const exportDir = path.dirname(
      path.dirname(path.dirname(estate.files.find((f) => /cur2.*\.parquet$/.test(f))!)),
    );
    await ingestPaths(w, [exportDir], { lakeDir: tempDir() }, quiet);
    const periods = await w.all<{ period: string; final: boolean }>(
      "select billing_period as period, is_final as final from ops.load_parts order by 1",
    );
    expect(periods).toEqual([
      { period: "2026-09", final: true },
      { period: "2026-10", final: false },
    ]);
    await w.close();
  });
});
