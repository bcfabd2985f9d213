/**
 * dbt-duckdb's `external` materialization: a model stored as Parquet files under a folder
 * (one sub-folder per partition value when `partition_by` is set) with a view over them.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { UsageError } from "../../errors.ts";
import { faultPoint } from "../../faults.ts";
import { lit } from "../../sql.ts";
import type { Warehouse } from "../../warehouse/warehouse.ts";
import type { ModelConfig } from "../render.ts";
import type { Materialization } from "./index.ts";

export const external: Materialization = {
  async build({ warehouse, model, exists, fullRefresh, externalRoot, sql, incrementalSql }) {
    if (!externalRoot) throw new UsageError("external models need an external root");
    const dir = path.join(externalRoot, model.node.name);
    // Incremental only over files already there: a missing folder is rebuilt whole.
    const incremental =
      exists && existsSync(dir) && !fullRefresh && model.config.unique_key
        ? await incrementalSql()
        : undefined;
    await writeExternal(warehouse, model.relation, dir, sql, model.config, incremental);
  },
};

/**
 * Write the model's rows under `dir` and (re)create its view. A full build writes every file
 * anew; an incremental one (`incrementalSql`, unique_key = the partition column) rewrites only
 * the partitions its rows fall in.
 *
 * Crash-safe by its order: new files are written beside the folder (`<dir>.partial`) and
 * renamed into it under new names, the view is switched to the new list of files in one
 * transaction, and only then are the files it no longer lists removed. The view names its files
 * one by one, never by a glob, so a kill at any moment leaves it reading one whole version (the
 * old or the new), never both and never a partition short; files a killed write left are removed
 * by the next write. (A folder swap, as before, left a moment with the old partition beside the
 * new one under `<partition>.old`, which the view's glob read too: a kill there counted that
 * period twice until the period was rebuilt.)
 *
 * A partitioned model is written by one COPY with PARTITION_BY, full build or incremental: the
 * model's query runs once. (One COPY per partition value, filtered on it, ran the query once for
 * its values and once per value: the per-provider aggregates under focus_costs (Azure's dataset
 * choice, GCP's commitment split) take no filter through them, so at 10 million rows the build
 * computed the union four times and spilled; one partitioned COPY is 2.3x faster at 1 million.)
 */
export async function writeExternal(
  warehouse: Warehouse,
  relation: string,
  dir: string,
  sql: string,
  config: ModelConfig,
  incrementalSql: string | undefined,
): Promise<void> {
  const partition = config.partition_by;
  const staging = `${dir}.partial`;
  const current = await listedFiles(warehouse, relation, dir);
  removeLeftovers(dir, staging, current ?? []);
  mkdirSync(staging, { recursive: true });
  // A new name per write: builds cache Parquet footers by path (see buildProject). DuckDB checks
  // a cached footer against the file's modification time, to the second; a new name is certain.
  const fileName = `data_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}.parquet`;
  // Incremental over the files the view lists; with no view to say which, a full build.
  const byPartition =
    incrementalSql !== undefined &&
    current !== undefined &&
    partition !== undefined &&
    config.unique_key === partition;
  const written = partition
    ? await copyPartitioned(warehouse, byPartition ? incrementalSql : sql, partition, staging, fileName)
    : [await copyParquet(warehouse, sql, staging, fileName)];
  let files = publish(staging, dir, written);
  if (byPartition) {
    // The partitions the run wrote are replaced; the others keep their files.
    const rewritten = new Set(written.map((f) => path.dirname(f)));
    files = [...current!.filter((f) => !rewritten.has(path.dirname(path.relative(dir, f)))), ...files];
  }
  rmSync(staging, { recursive: true, force: true });
  faultPoint("external:files-written");
  await createView(warehouse, relation, files, sql);
  faultPoint("external:view-switched");
  removeLeftovers(dir, staging, files);
}

/** Rename the files written under `staging` (paths relative to it) to the same places under `dir`. */
function publish(staging: string, dir: string, written: string[]): string[] {
  return written.map((relative) => {
    const file = path.join(dir, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    renameSync(path.join(staging, relative), file);
    return file;
  });
}

/**
 * The files the relation's view reads now (kept in the view's comment, written with it); undefined
 * when there is no view. A view made before views named their files (a glob over the folder)
 * reads what the folder holds.
 */
async function listedFiles(
  warehouse: Warehouse,
  relation: string,
  dir: string,
): Promise<string[] | undefined> {
  const view = await externalView(warehouse, relation);
  if (!view) return undefined;
  if (view.files) return view.files;
  if (!view.sql.includes(`read_parquet(${lit(dir).slice(0, -1)}`)) return [];
  // That version's folder swap, killed between its renames, left a partition only as <part>.old.
  for (const entry of existsSync(dir) ? readdirSync(dir) : []) {
    const part = path.join(dir, entry.slice(0, -".old".length));
    if (entry.endsWith(".old") && !existsSync(part)) renameSync(path.join(dir, entry), part);
  }
  return parquetFiles(dir);
}

/** An external model's view: its SQL, and the files it reads when it names them (its comment). */
async function externalView(
  warehouse: Warehouse,
  relation: string,
): Promise<{ sql: string; files?: string[] } | undefined> {
  const [schema, name] = relation.split(".") as [string, string];
  const [view] = await warehouse.all<{ sql: string; comment: string | null }>(
    "SELECT sql, comment FROM duckdb_views() WHERE schema_name = $1 AND view_name = $2",
    [schema, name],
  );
  if (!view) return undefined;
  try {
    const files = (JSON.parse(view.comment ?? "") as { external_files?: unknown }).external_files;
    if (Array.isArray(files)) return { sql: view.sql, files: files.map(String) };
  } catch {
    // Not ours: an earlier version's view.
  }
  return { sql: view.sql };
}

/** The Parquet files an external model's view reads; undefined when it is not one that names them. */
export async function externalFiles(warehouse: Warehouse, relation: string): Promise<string[] | undefined> {
  return (await externalView(warehouse, relation))?.files;
}

/** Parquet files under `dir`, at any depth, as full paths; not those of a folder swap's `.old` leftover. */
function parquetFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith(".parquet") && !f.split(path.sep).some((part) => part.endsWith(".old")))
    .map((f) => path.join(dir, f));
}

/**
 * Everything under `dir` but the files `keep` lists (what a killed write left, or what a switched
 * view stopped reading), empty folders, and the staging folder.
 */
function removeLeftovers(dir: string, staging: string, keep: string[]): void {
  rmSync(staging, { recursive: true, force: true });
  // The folder swap of earlier versions left <dir>.old beside the model's folder.
  rmSync(`${dir}.old`, { recursive: true, force: true });
  if (!existsSync(dir)) return;
  const listed = new Set(keep);
  for (const entry of readdirSync(dir, { recursive: true }) as string[]) {
    const full = path.join(dir, entry);
    if (!statSync(full, { throwIfNoEntry: false })?.isFile() || listed.has(full)) continue;
    rmSync(full, { force: true });
  }
  // Deepest first, so a folder emptied of its sub-folders goes too.
  const folders = (readdirSync(dir, { recursive: true }) as string[])
    .map((entry) => path.join(dir, entry))
    .filter((full) => statSync(full, { throwIfNoEntry: false })?.isDirectory())
    .sort((a, b) => b.length - a.length);
  for (const folder of folders) if (!readdirSync(folder).length) rmSync(folder, { recursive: true });
}

/**
 * The query's rows under `staging`, a folder per partition value (`<partition>=<value>/<fileName>`,
 * DuckDB's hive layout, the partition column kept in the files: the view reads files, not
 * folder names); the files' paths relative to `staging`. No rows, no files.
 */
async function copyPartitioned(
  warehouse: Warehouse,
  query: string,
  partition: string,
  staging: string,
  fileName: string,
): Promise<string[]> {
  const pattern = fileName.replace(/\.parquet$/, "_{i}");
  await copyParquet(
    warehouse,
    query,
    staging,
    ".",
    `PARTITION_BY (${partition}), WRITE_PARTITION_COLUMNS true, OVERWRITE_OR_IGNORE, FILENAME_PATTERN ${lit(pattern)}`,
  );
  return parquetFiles(staging).map((f) => path.relative(staging, f));
}

/** COPY the query's rows to `staging`/`relative`; returns `relative`. */
async function copyParquet(
  warehouse: Warehouse,
  query: string,
  staging: string,
  relative: string,
  options = "",
): Promise<string> {
  const file = path.join(staging, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  // Row order inside a file carries no meaning, and not keeping it lets DuckDB write in parallel.
  // Session scope: other connections of the build keep their own setting.
  await warehouse.run("SET SESSION preserve_insertion_order = false");
  try {
    await warehouse.run(
      `COPY (${query}) TO ${lit(file)} (FORMAT parquet, COMPRESSION zstd${options ? `, ${options}` : ""})`,
    );
  } finally {
    await warehouse.run("RESET SESSION preserve_insertion_order");
  }
  return relative;
}

/**
 * The view over exactly `files` (or, with none, over no rows with the model's columns), replacing
 * a table of the name; the list goes in the view's comment, in the same transaction.
 */
async function createView(
  warehouse: Warehouse,
  relation: string,
  files: string[],
  sql: string,
): Promise<void> {
  const source = files.length
    ? `SELECT * FROM read_parquet([${files.map((f) => lit(f)).join(", ")}], union_by_name = true)`
    : `SELECT * FROM (${sql}) WHERE false`;
  await warehouse.transaction(async (tx) => {
    await tx.run(`DROP TABLE IF EXISTS ${relation}`).catch(() => undefined);
    await tx.run(`CREATE OR REPLACE VIEW ${relation} AS ${source}`);
    await tx.run(`COMMENT ON VIEW ${relation} IS ${lit(JSON.stringify({ external_files: files }))}`);
  });
}
