/**
 * Parquet snapshots of every mart in data/marts/ (and of the ML tables and the ledgers the
 * report shows, in ml/ and ops/ beside them), written after each build, for readers that must
 * not hold the warehouse's write lock (report build, analysts).
 * Each file is written beside its final name and renamed, so readers never see half a file.
 */
import { existsSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { produceFileAtomic } from "../files.ts";
import { lit } from "../sql.ts";
import type { Warehouse } from "./warehouse.ts";

export async function exportMarts(warehouse: Warehouse, dir: string): Promise<string[]> {
  const files = await exportSchema(warehouse, "marts", dir);
  // A mart now stored as Parquet itself (an external model, a folder) leaves no older snapshot
  // file of its name for readers to find beside its folder.
  const views = await warehouse.all<{ name: string }>(
    "select view_name as name from duckdb_views() where schema_name = 'marts'",
  );
  for (const { name } of views)
    if (existsSync(path.join(dir, name))) rmSync(path.join(dir, `${name}.parquet`), { force: true });
  // What the report shows beside the marts: the ML jobs' tables and the ledgers it reports on.
  files.push(...(await exportSchema(warehouse, "ml", path.join(dir, "ml"))));
  files.push(...(await exportSchema(warehouse, "ops", path.join(dir, "ops"), REPORTED_OPS_TABLES)));
  return files;
}

/** The ops tables the report's data-quality, recommendation and actions pages read. */
const REPORTED_OPS_TABLES = ["loads", "pipeline_runs", "recommendation_history", "actions", "action_runs"];

async function exportSchema(
  warehouse: Warehouse,
  schema: string,
  dir: string,
  only?: string[],
): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const tables = await warehouse.all<{ name: string }>(
    // Views in marts are external models: Parquet under this folder already.
    `select table_name as name from information_schema.tables where table_schema = ${lit(schema)} and table_type = 'BASE TABLE' order by 1`,
  );
  const files: string[] = [];
  for (const { name } of tables) {
    if (only && !only.includes(name)) continue;
    const file = path.join(dir, `${name}.parquet`);
    await produceFileAtomic(file, (partial) =>
      warehouse.run(`copy ${schema}.${name} to ${lit(partial)} (format parquet, compression zstd)`),
    );
    files.push(file);
  }
  return files;
}
