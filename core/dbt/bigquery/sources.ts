/**
 * The project's sources on BigQuery, as DDL to run once (and again when the lake gains a table):
 * each raw table an external table over the lake's Hive-partitioned Parquet copied to Cloud
 * Storage (data/lake/<format>/billing_period=YYYY-MM/*.parquet under the given gs:// folder),
 * with the columns the sources YAML declares; the other sources (ops, ml: what cco's own jobs
 * write on DuckDB) as empty tables of their declared columns, so every model builds. GCP's
 * billing export is no raw table here: its source is the export's own table.
 */
import { UsageError } from "../../errors.ts";
import type { DbtProject, SourceTable } from "../project.ts";
import { renderMacro } from "../render.ts";
import { bqIdent } from "../materializations/bigquery/index.ts";

/** A lake format: its folder under the lake and the raw table it lands in (ingest's formats). */
export interface LakeFormat {
  id: string;
  rawTable: string;
}

export interface SourceStatement {
  relation: string;
  statement: string;
}

/** Column names as BigQuery's external tables read them (column_name_character_map V1): other characters as _. */
export function bigQueryColumnName(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, "_");
}

/** A declared (DuckDB) type in BigQuery's names, lists and structs included. */
export function bigQueryColumnType(project: DbtProject, type: string): string {
  const list = type.match(/^(.*)\[\]$/s);
  if (list) return `ARRAY<${bigQueryColumnType(project, list[1]!.trim())}>`;
  const struct = type.match(/^STRUCT\s*\((.*)\)$/is);
  if (struct) {
    const fields = struct[1]!.split(/,\s*/).map((f) => {
      const [name, ...rest] = f.trim().split(/\s+/);
      return `${bqIdent(name!)} ${bigQueryColumnType(project, rest.join(" "))}`;
    });
    return `STRUCT<${fields.join(", ")}>`;
  }
  return renderMacro(project, "bigquery_type", type);
}

/** Every declared source table by relation, its columns merged (several YAML entries may name one table). */
function declaredTables(
  project: DbtProject,
): Map<string, { source: SourceTable; columns: Map<string, string> }> {
  const tables = new Map<string, { source: SourceTable; columns: Map<string, string> }>();
  for (const source of project.sources) {
    // A table BigQuery has already (GCP's billing export, meta bigquery: existing) is not made.
    if (source.database || source.meta.bigquery === "existing") continue;
    const relation = `${source.schema}.${source.identifier}`;
    const entry = tables.get(relation) ?? { source, columns: new Map<string, string>() };
    for (const c of source.columns)
      if (![...entry.columns.keys()].some((n) => n.toLowerCase() === c.name.toLowerCase()))
        entry.columns.set(c.name, c.data_type ?? "varchar");
    tables.set(relation, entry);
  }
  return tables;
}

export function bigQuerySourceStatements(
  project: DbtProject,
  lake: string,
  formats: LakeFormat[],
): SourceStatement[] {
  if (project.target.type !== "bigquery") throw new UsageError("bigquery-sources needs a bigquery target");
  if (!/^gs:\/\/[^/]+/.test(lake)) throw new UsageError(`--lake ${lake}: expected gs://<bucket>/<folder>`);
  const root = lake.replace(/\/+$/, "");
  const tables = declaredTables(project);
  const location = project.target.location ? ` OPTIONS (location = '${project.target.location}')` : "";
  const statements: SourceStatement[] = [...new Set([...tables.keys()].map((r) => r.split(".")[0]!))].map(
    (schema) => ({ relation: schema, statement: `CREATE SCHEMA IF NOT EXISTS ${schema}${location}` }),
  );
  for (const [relation, { source, columns }] of tables) {
    const schema = [...columns].map(
      ([name, type]) => `  ${bqIdent(bigQueryColumnName(name))} ${bigQueryColumnType(project, type)}`,
    );
    if (source.schema !== "raw") {
      statements.push({
        relation,
        statement: `CREATE TABLE IF NOT EXISTS ${relation} (\n${schema.join(",\n")}\n)`,
      });
      continue;
    }
    const folders = formats.filter((f) => f.rawTable === source.identifier).map((f) => f.id);
    if (!folders.length) throw new UsageError(`${relation}: no lake format lands in it`);
    // One external table per lake folder (Hive partitioning takes one prefix); several are a view's union.
    const external = (name: string, folder: string) =>
      [
        `CREATE OR REPLACE EXTERNAL TABLE ${name} (`,
        schema.join(",\n"),
        ")",
        "WITH PARTITION COLUMNS (billing_period STRING)",
        "OPTIONS (",
        "  format = 'PARQUET',",
        `  uris = ['${root}/${folder}/*'],`,
        `  hive_partition_uri_prefix = '${root}/${folder}',`,
        "  column_name_character_map = 'V1'",
        ")",
      ].join("\n");
    if (folders.length === 1) {
      statements.push({ relation, statement: external(relation, folders[0]!) });
      continue;
    }
    const parts = folders.map((folder) => `${relation}__${folder}`);
    for (const [i, folder] of folders.entries())
      statements.push({ relation: parts[i]!, statement: external(parts[i]!, folder) });
    statements.push({
      relation,
      statement: `CREATE OR REPLACE VIEW ${relation} AS\n${parts.map((p) => `SELECT * FROM ${p}`).join("\nUNION ALL\n")}`,
    });
  }
  return statements;
}
