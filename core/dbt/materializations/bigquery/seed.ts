/**
 * A seed on BigQuery: its CSV rows as a table, created by one statement from a typed array of
 * rows (seeds are small reference data; no load job or bucket needed). Column types are the
 * seed's column_types (in DuckDB's names, translated) and, for the others, what every value of
 * the column reads as: INT64, FLOAT64, BOOL, DATE, else STRING.
 */
import path from "node:path";
import { readCsv } from "../../../../ingest/prices.ts";
import { UsageError } from "../../../errors.ts";
import type { SeedNode } from "../../seeds.ts";
import { bqName } from "./index.ts";

/** BigQuery's type for a column of the seed, from its declared DuckDB type or its values. */
function columnType(
  values: string[],
  declared: string | undefined,
  translate: (t: string) => string,
): string {
  // A type's parameters (NUMERIC(10, 2)) are for columns and casts, not for the rows' STRUCT.
  if (declared) return translate(declared).replace(/\(.*\)$/, "");
  const present = values.filter((v) => v !== "");
  if (!present.length) return "STRING";
  if (present.every((v) => /^-?\d{1,18}$/.test(v))) return "INT64";
  if (present.every((v) => /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v))) return "FLOAT64";
  if (present.every((v) => /^(true|false)$/i.test(v))) return "BOOL";
  if (present.every((v) => /^\d{4}-\d{2}-\d{2}$/.test(v))) return "DATE";
  return "STRING";
}

function literal(value: string, type: string): string {
  if (value === "") return "NULL";
  if (type === "STRING") return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
  if (type === "DATE") return `DATE '${value}'`;
  if (type === "BOOL") return value.toLowerCase();
  if (/^(BIG)?NUMERIC$/.test(type)) return `${type} '${value}'`;
  return value;
}

/** The statement that (re)creates the seed's table with its rows. */
export function seedStatement(
  root: string,
  seed: SeedNode,
  translate: (duckdbType: string) => string,
): string {
  return `CREATE OR REPLACE TABLE ${seed.relation} AS\n${seedQuery(root, seed, translate)}`;
}

/** The seed's rows as a query: a typed array of its CSV rows. */
export function seedQuery(root: string, seed: SeedNode, translate: (duckdbType: string) => string): string {
  if (seed.config.delimiter !== ",")
    throw new UsageError(
      `${seed.file}: seeds on BigQuery are comma-separated (delimiter '${seed.config.delimiter}')`,
    );
  const rows = readCsv(path.join(root, seed.file));
  const header = rows.length ? Object.keys(rows[0]!) : [];
  if (!header.length) throw new UsageError(`${seed.file}: no header or no rows to load`);
  const types = header.map((c) =>
    columnType(
      rows.map((r) => r[c] ?? ""),
      seed.config.column_types[c],
      translate,
    ),
  );
  const struct = `STRUCT<${header.map((c, i) => `${bqName(c)} ${types[i]}`).join(", ")}>`;
  const values = rows.map((r) => `(${header.map((c, i) => literal(r[c] ?? "", types[i]!)).join(", ")})`);
  return `SELECT * FROM UNNEST(ARRAY<${struct}>[\n  ${values.join(",\n  ")}\n])`;
}
