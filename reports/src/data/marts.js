// Shared by the data loaders: query the marts' Parquet snapshots (never the warehouse file,
// which the pipeline may hold open for writing). `mart(name)` reads a mart (an external model
// such as focus_costs is a folder of partitions); `ml/<name>` and `ops/<name>` read the ML
// tables and ledgers written beside them. `has(name)` says whether a snapshot exists, so a
// page can say plainly what is not loaded yet.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";

const dir = process.env.CCO_MARTS_DIR;
if (!dir) throw new Error("CCO_MARTS_DIR is not set: build the report with `cco report`");

function fileOf(name) {
  const folder = path.join(dir, name);
  if (existsSync(path.join(folder))) return { folder };
  return { file: `${folder}.parquet` };
}

export function has(name) {
  const { folder, file } = fileOf(name);
  return folder ? true : existsSync(file);
}

export function mart(name) {
  const { folder, file } = fileOf(name);
  const quoted = (p) => `'${p.replaceAll("'", "''")}'`;
  return folder
    ? `read_parquet(${quoted(`${folder}/**/*.parquet`)}, hive_partitioning = false, union_by_name = true)`
    : `read_parquet(${quoted(file)})`;
}

/** A JSON file written beside the snapshots (ops/focus_conformance.json), or null. */
export function json(name) {
  const file = path.join(dir, name);
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : null;
}

let connection;
export async function query(sql, params = []) {
  connection ??= await (await DuckDBInstance.create(":memory:")).connect();
  const reader = await connection.runAndReadAll(sql, params);
  return reader.getRowObjectsJson();
}

/** Kept for the loaders written against the first version: sql(mart) → rows. */
export async function queryMarts(sql) {
  return query(sql(mart));
}

/** The data's last day and range, and when the snapshots were written. */
export async function dataWindow() {
  const [w] = await query(
    `select min(charge_date)::varchar as first_day, max(charge_date)::varchar as last_day from ${mart("cost_daily")}`,
  );
  return w;
}

export function emit(value) {
  process.stdout.write(JSON.stringify(value));
}

/** Whether an ML job has written its results (its run is in ml.model_runs). */
export async function jobRan(job) {
  if (!has("ml/model_runs")) return false;
  const [r] = await query(`select count(*)::integer as n from ${mart("ml/model_runs")} where job = $1`, [
    job,
  ]);
  return r.n > 0;
}
