/**
 * `cco generate`: a deterministic multi-cloud estate written in the providers'
 * real export formats, with truth.json listing every planted case.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import type { Progress } from "../../core/log.ts";
import { buildEstate, type EstateOptions } from "./estate.ts";
import { buildLines } from "./lines.ts";
import { buildTruth, type Truth } from "./truth.ts";
import { writeAwsCur2 } from "./writers/aws-cur2.ts";
import { writeAwsCurLegacy } from "./writers/aws-cur-legacy.ts";
import { writeAzureMca } from "./writers/azure-mca.ts";
import type { ExportWriter, WriterContext } from "./writers/common.ts";
import { writeFocus } from "./writers/focus.ts";
import { writeGcpBigQuery } from "./writers/gcp-bigquery.ts";
import { writeInventory } from "./writers/inventory.ts";
import { writeMetrics } from "./writers/metrics.ts";

export interface GenerateResult {
  outDir: string;
  files: string[];
  truth: Truth;
  lineItems: number;
  metricRows: number;
}

const WRITERS: [string, ExportWriter][] = [
  ["AWS CUR 2.0 (Parquet)", writeAwsCur2],
  ["AWS legacy CUR (CSV.gz)", writeAwsCurLegacy],
  ["Azure cost details (MCA, actual + amortized)", writeAzureMca],
  ["GCP BigQuery billing export (NDJSON)", writeGcpBigQuery],
  ["FOCUS 1.2 (OCI)", writeFocus],
  ["Utilization metrics (Parquet)", writeMetrics],
  ["Resource inventory (CSV)", writeInventory],
];

export async function generateEstate(
  options: EstateOptions,
  outDir: string,
  progress: Progress,
): Promise<GenerateResult> {
  const estate = buildEstate(options);
  mkdirSync(outDir, { recursive: true });
  const tmp = mkdtempSync(path.join(os.tmpdir(), "cco-generate-"));
  // Output order and Parquet row groups must not depend on thread scheduling.
  const instance = await DuckDBInstance.create(":memory:", {
    threads: "2",
    preserve_insertion_order: "true",
  });
  const con = await instance.connect();
  try {
    await progress.step(`Building ${estate.resources.length} resources × ${options.days} days`, () =>
      buildLines(con, estate, tmp),
    );
    const months = (await con.runAndReadAll("SELECT DISTINCT billing_month FROM li ORDER BY 1"))
      .getRows()
      .map((r) => String(r[0]));
    const ctx: WriterContext = { con, outDir, months, openMonth: months[months.length - 1]! };
    const files: string[] = [];
    for (const [label, writer] of WRITERS) {
      files.push(...(await progress.step(label, () => writer(ctx))));
    }
    const truth = buildTruth(estate);
    const truthFile = path.join(outDir, "truth.json");
    writeFileSync(truthFile, `${JSON.stringify(truth, null, 2)}\n`);
    files.push(truthFile);
    const count = async (table: string) =>
      Number((await con.runAndReadAll(`SELECT count(*) FROM ${table}`)).getRows()[0]![0]);
    return { outDir, files, truth, lineItems: await count("li"), metricRows: await count("metrics") };
  } finally {
    con.closeSync();
    instance.closeSync();
    rmSync(tmp, { recursive: true, force: true });
  }
}
