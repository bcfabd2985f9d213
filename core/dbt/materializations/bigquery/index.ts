/**
 * The materializations on BigQuery, as dbt-bigquery writes them: each model as one statement or
 * script, run as one query job. view and table replace the relation (a table partitioned and
 * clustered by its config); external models (Parquet on DuckDB) are tables here; incremental
 * runs replace the rows sharing a unique_key value (delete+insert, as on DuckDB: a MERGE that
 * deletes the keys' rows and inserts the new ones at once), or merge row by row on a unique key
 * with incremental_strategy 'merge'.
 */
import { UsageError } from "../../../errors.ts";
import type { CompiledModel } from "../../compile.ts";
import type { ContractColumn } from "../../contracts.ts";
import type { ModelConfig } from "../../render.ts";

export interface BigQueryBuild {
  model: CompiledModel;
  /** TABLE or VIEW when the relation exists already. */
  existing: string | undefined;
  fullRefresh: boolean;
  /** The SELECT to build from (a contracted model's cast to its contract). */
  sql: string;
  /** The same with is_incremental() true. */
  incrementalSql(): string;
  /** The model's columns, for a row-by-row merge (from a dry run of its SELECT). */
  columns?: string[];
}

/** A BigQuery identifier, quoted. */
export function bqIdent(name: string): string {
  return `\`${name.replaceAll("`", "\\`")}\``;
}

/** GoogleSQL's reserved keywords: a name that is one must be quoted. */
const RESERVED = new Set(
  `all and any array as asc assert_rows_modified at between by case cast collate contains create cross cube
  current default define desc distinct else end enum escape except exclude exists extract false fetch following
  for from full group grouping groups hash having if ignore in inner intersect interval into is join lateral left
  like limit lookup merge natural new no not null nulls of on or order outer over partition preceding proto
  qualify range recursive respect right rollup rows select set some struct tablesample then to treat true
  unbounded union unnest using when where window with within`.split(/\s+/),
);

/** A name as BigQuery reads it: as is when it is a plain identifier, else quoted. */
export function bqName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !RESERVED.has(name.toLowerCase()) ? name : bqIdent(name);
}

/** The statement (or script) that builds the model on BigQuery. */
export function bigQueryStatement(build: BigQueryBuild): string {
  const { model, existing, fullRefresh } = build;
  const relation = model.relation;
  switch (model.config.materialized) {
    case "view":
      return script(
        existing && existing !== "VIEW" ? `DROP TABLE ${relation}` : "",
        createView(relation, build.sql),
      );
    case "table":
    case "external":
      return replaceTable(build);
    case "incremental":
      if (!existing || fullRefresh || existing !== "TABLE") return replaceTable(build);
      return model.config.incremental_strategy === "merge" ? mergeRows(build) : replaceKeys(build);
    default:
      throw new UsageError(`no materialization '${model.config.materialized}' on BigQuery`);
  }
}

/** A contracted model's SELECT: the contract's columns in its order, each cast to its type in BigQuery's names. */
export function castToContract(
  sql: string,
  contract: ContractColumn[],
  translate: (type: string) => string,
): string {
  const columns = contract.map(
    (c) => `CAST(${bqIdent(c.name)} AS ${translate(c.data_type)}) AS ${bqIdent(c.name)}`,
  );
  return `SELECT ${columns.join(", ")} FROM (\n${sql}\n)`;
}

export function createView(relation: string, sql: string): string {
  return `CREATE OR REPLACE VIEW ${relation} AS\n${sql}`;
}

function replaceTable({ model, existing, sql }: BigQueryBuild): string {
  const options = [partitionClause(model.config), clusterClause(model.config)].filter(Boolean).join("\n");
  return script(
    existing === "VIEW" ? `DROP VIEW ${model.relation}` : "",
    `CREATE OR REPLACE TABLE ${model.relation}${options ? `\n${options}` : ""}\nAS\n${sql}`,
  );
}

/** dbt-bigquery's partition_by: a date column as is (or truncated), timestamps truncated to the granularity. */
export function partitionClause(config: ModelConfig): string {
  const partition = config.bigquery_partition_by;
  if (!partition) return "";
  const field = bqIdent(partition.field);
  const granularity = (partition.granularity ?? "day").toUpperCase();
  if (!["HOUR", "DAY", "MONTH", "YEAR"].includes(granularity))
    throw new UsageError(
      `partition_by: granularity '${partition.granularity}' is not hour, day, month or year`,
    );
  switch ((partition.data_type ?? "date").toLowerCase()) {
    case "date":
      return granularity === "DAY"
        ? `PARTITION BY ${field}`
        : `PARTITION BY DATE_TRUNC(${field}, ${granularity})`;
    case "timestamp":
      return `PARTITION BY TIMESTAMP_TRUNC(${field}, ${granularity})`;
    case "datetime":
      return `PARTITION BY DATETIME_TRUNC(${field}, ${granularity})`;
    default:
      throw new UsageError(
        `partition_by: data_type '${partition.data_type}' is not date, timestamp or datetime`,
      );
  }
}

export function clusterClause(config: ModelConfig): string {
  const columns = config.cluster_by ?? [];
  if (columns.length > 4)
    throw new UsageError(`cluster_by: BigQuery clusters by at most 4 columns, not ${columns.length}`);
  return columns.length ? `CLUSTER BY ${columns.map(bqIdent).join(", ")}` : "";
}

/**
 * delete+insert: the new rows in a temporary table, then one MERGE that deletes every row sharing
 * a unique_key value with them and inserts them (dbt-bigquery's insert_overwrite, keyed).
 */
function replaceKeys(build: BigQueryBuild): string {
  const { model } = build;
  const key = model.config.unique_key;
  if (!key) return script(`INSERT INTO ${model.relation}\n${build.incrementalSql()}`);
  const column = bqIdent(key);
  return script(
    "DECLARE cco_keys ARRAY<STRING>",
    `CREATE TEMP TABLE cco_incremental AS\n${build.incrementalSql()}`,
    `SET cco_keys = (SELECT ARRAY_AGG(DISTINCT CAST(${column} AS STRING) IGNORE NULLS) FROM cco_incremental)`,
    [
      `MERGE INTO ${model.relation} AS cco_target`,
      "USING cco_incremental AS cco_source ON FALSE",
      `WHEN NOT MATCHED BY SOURCE AND CAST(cco_target.${column} AS STRING) IN UNNEST(cco_keys) THEN DELETE`,
      "WHEN NOT MATCHED THEN INSERT ROW",
    ].join("\n"),
  );
}

/** merge: rows matched on a unique key (one row per key) are updated, others inserted. */
function mergeRows(build: BigQueryBuild): string {
  const { model, columns } = build;
  const key = model.config.unique_key;
  if (!key) throw new UsageError("incremental_strategy 'merge' needs a unique_key");
  if (!columns?.length) throw new UsageError("incremental_strategy 'merge' needs the model's columns");
  const set = columns.map((c) => `${bqIdent(c)} = cco_source.${bqIdent(c)}`).join(", ");
  return script(
    [
      `MERGE INTO ${model.relation} AS cco_target`,
      `USING (\n${build.incrementalSql()}\n) AS cco_source`,
      `ON cco_target.${bqIdent(key)} = cco_source.${bqIdent(key)}`,
      `WHEN MATCHED THEN UPDATE SET ${set}`,
      "WHEN NOT MATCHED THEN INSERT ROW",
    ].join("\n"),
  );
}

/** Statements as one script (BigQuery runs a multi-statement query in order, as one job). */
function script(...statements: string[]): string {
  const parts = statements.filter(Boolean);
  // A statement's last line may be a -- comment: its semicolon goes on the next line.
  return parts.length === 1
    ? parts[0]!
    : parts.map((s) => `${s}${/--[^\n]*$/.test(s) ? "\n" : ""};`).join("\n");
}
