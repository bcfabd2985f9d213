/**
 * DuckDB's own floors for bench/scale.ts, each in a fresh process with the warehouse's memory
 * settings (read from the bench's config file):
 *   ingest <config> <out dir> <files…>   COPY each billing file, as read by DuckDB's own reader,
 *                                        to zstd Parquet: what ingest does at the least
 *   models <config>                      one hand-written statement mapping every raw billing
 *                                        table to FOCUS's core columns: what the models do at the least
 *   unfloor <config>                     drop the statement's table (not timed)
 * Prints JSON with the rows written on stdout; the caller times the process.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { loadConfig } from "../core/config.ts";
import { lit } from "../core/sql.ts";
import { Warehouse } from "../core/warehouse/warehouse.ts";
import { FOCUS_FLOOR } from "./scale-floor-sql.ts";

const [mode, configFile, ...args] = process.argv.slice(2);
const config = loadConfig({ configFile: configFile! });
const settings = {
  memory_limit: config.warehouse.memoryLimit,
  threads: String(config.warehouse.threads),
  ...(config.warehouse.tempDirectory ? { temp_directory: config.warehouse.tempDirectory } : {}),
};

/** The reader DuckDB picks for a file by its name, with its defaults (as a user would type it). */
function reader(file: string): string {
  if (/\.parquet$/i.test(file)) return `read_parquet(${lit(file)})`;
  if (/\.json$/i.test(file)) return `read_json(${lit(file)})`;
  return `read_csv(${lit(file)})`;
}

let rows = 0;
if (mode === "ingest") {
  const [outDir, ...files] = args;
  mkdirSync(outDir!, { recursive: true });
  const instance = await DuckDBInstance.create(":memory:", settings);
  const con = await instance.connect();
  for (const [i, file] of files.entries()) {
    const result = await con.run(
      `COPY (SELECT * FROM ${reader(file)}) TO ${lit(path.join(outDir!, `${i}.parquet`))} (FORMAT parquet, COMPRESSION zstd)`,
    );
    rows += Number(result.rowsChanged);
  }
  con.closeSync();
  instance.closeSync();
} else {
  const warehouse = await Warehouse.open(config.warehouse);
  if (mode === "models") {
    await warehouse.run(`CREATE OR REPLACE TABLE main.bench_floor AS ${FOCUS_FLOOR}`);
    rows = Number((await warehouse.all<{ n: bigint }>("SELECT count(*) AS n FROM main.bench_floor"))[0]!.n);
  } else {
    await warehouse.run("DROP TABLE IF EXISTS main.bench_floor");
  }
  await warehouse.close();
}
process.stdout.write(`${JSON.stringify({ rows })}\n`);
