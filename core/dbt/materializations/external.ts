/**
 * dbt-duckdb's `external` materialization: a model stored as Parquet files under a folder
 * (one sub-folder per partition value when `partition_by` is set) with a view over them.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { UsageError } from "../../errors.ts";
import { swapDirectory } from "../../files.ts";
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
      exists && existsSync(dir) && !fullRefresh && model.config.unique_key ? incrementalSql() : undefined;
    await writeExternal(warehouse, model.relation, dir, sql, model.config, incremental);
  },
};

/**
 * Write the model's rows under `dir` and (re)create its view. A full build writes beside the
 * folder and swaps it in; an incremental one (`incrementalSql`, unique_key = the partition
 * column) rewrites only the partitions its rows fall in, each swapped in whole. Readers never
 * see half a partition.
 *
 * On a full build each partition is written by its own COPY filtered on its value, not by one
 * COPY with PARTITION_BY: the filter reaches the sources' scans (a period's rows are read, not
 * all), and DuckDB's partitioned writer buffers every partition's rows, which cost a quarter more
 * time on a 10-million-row model (bench/models.ts).
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
  // A new name per write: builds cache Parquet footers by path (see buildProject). DuckDB checks
  // a cached footer against the file's modification time, to the second; a new name is certain.
  const fileName = `data_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}.parquet`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const byPartition =
    incrementalSql !== undefined && partition !== undefined && config.unique_key === partition;
  if (byPartition) {
    await writeIncrementalPartitions(warehouse, incrementalSql, partition, staging, fileName);
    for (const part of readdirSync(staging)) swapDirectory(path.join(staging, part), path.join(dir, part));
    rmSync(staging, { recursive: true, force: true });
  } else {
    if (partition) await writePartitions(warehouse, sql, partition, staging, fileName);
    else await copyParquet(warehouse, sql, path.join(staging, fileName));
    swapDirectory(staging, dir);
  }
  await createView(warehouse, relation, dir, sql, partition !== undefined);
}

/** Each partition of the query's rows as its own file under `staging`, one COPY per partition. */
async function writePartitions(
  warehouse: Warehouse,
  query: string,
  partition: string,
  staging: string,
  fileName: string,
): Promise<void> {
  for (const value of await partitionValues(warehouse, query, partition)) {
    const where = value === null ? "IS NULL" : `= ${lit(value)}`;
    await copyParquet(
      warehouse,
      `SELECT * FROM (${query}) WHERE CAST(${partition} AS VARCHAR) ${where}`,
      partitionFile(staging, partition, value, fileName),
    );
  }
}

/**
 * An incremental run's rows: computed and written once, then filed under their partition (split
 * only when they span several). Planning the model's query is a fair part of a small run (about
 * 0.2 s for focus_costs' eight-source union), so it is not planned a second time for its values.
 */
async function writeIncrementalPartitions(
  warehouse: Warehouse,
  query: string,
  partition: string,
  staging: string,
  fileName: string,
): Promise<void> {
  const whole = path.join(staging, fileName);
  await copyParquet(warehouse, query, whole);
  const written = `SELECT * FROM read_parquet(${lit(whole)})`;
  const values = await partitionValues(warehouse, written, partition);
  if (values.length === 1) {
    const file = partitionFile(staging, partition, values[0]!, fileName);
    mkdirSync(path.dirname(file), { recursive: true });
    renameSync(whole, file);
    return;
  }
  await writePartitions(warehouse, written, partition, staging, fileName);
  rmSync(whole);
}

function partitionFile(staging: string, partition: string, value: string | null, fileName: string): string {
  return path.join(staging, `${partition}=${value === null ? "NULL" : encodeURIComponent(value)}`, fileName);
}

/** The partition values a query's rows fall in, as text (hive folder names are text). */
async function partitionValues(
  warehouse: Warehouse,
  query: string,
  partition: string,
): Promise<(string | null)[]> {
  const rows = await warehouse.all<{ value: string | null }>(
    `SELECT DISTINCT CAST(${partition} AS VARCHAR) AS value FROM (${query}) ORDER BY 1`,
  );
  return rows.map((r) => r.value);
}

async function copyParquet(warehouse: Warehouse, query: string, file: string): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true });
  // Row order inside a file carries no meaning, and not keeping it lets DuckDB write in parallel.
  // Session scope: other connections of the build keep their own setting.
  await warehouse.run("SET SESSION preserve_insertion_order = false");
  try {
    await warehouse.run(`COPY (${query}) TO ${lit(file)} (FORMAT parquet, COMPRESSION zstd)`);
  } finally {
    await warehouse.run("RESET SESSION preserve_insertion_order");
  }
}

async function createView(
  warehouse: Warehouse,
  relation: string,
  dir: string,
  sql: string,
  partitioned: boolean,
): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const files = partitioned ? path.join(dir, "*", "*.parquet") : path.join(dir, "*.parquet");
  const empty = !readdirSync(dir).length;
  await warehouse.transaction(async (tx) => {
    await tx.run(`DROP TABLE IF EXISTS ${relation}`).catch(() => undefined);
    // No rows, no files: the view keeps the model's columns.
    await tx.run(
      `CREATE OR REPLACE VIEW ${relation} AS ${
        empty
          ? `SELECT * FROM (${sql}) WHERE false`
          : `SELECT * FROM read_parquet(${lit(files)}, union_by_name = true)`
      }`,
    );
  });
}
