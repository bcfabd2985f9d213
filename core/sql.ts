/**
 * SQL text helpers shared by every stage: quoting, type tests and row counts. DuckDB's
 * dialect; one spelling each, so a quoting bug is fixed once.
 */
import type { Warehouse } from "./warehouse/warehouse.ts";

/** A string (or number) as a SQL literal: 'it''s'. */
export function lit(value: string | number | boolean | null): string {
  if (value === null) return "NULL";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return `'${value.replaceAll("'", "''")}'`;
}

/** An identifier, always quoted (CUR legacy names hold '/' and ':'; FOCUS names are mixed case). */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A comma-separated list of literals, for IN (...) and list values. */
export function litList(values: readonly (string | number)[]): string {
  return values.map((v) => lit(v)).join(", ");
}

const NUMERIC_TYPE =
  /^(DOUBLE|FLOAT|REAL|DECIMAL|NUMERIC|BIGINT|INTEGER|HUGEINT|SMALLINT|TINYINT|UBIGINT|UINTEGER|USMALLINT|UTINYINT|UHUGEINT)\b/i;

/** True for DuckDB's number types (as DESCRIBE spells them: DECIMAL(38,10), BIGINT, …). */
/**
 * `(…)` value tuples joined for multi-row INSERTs, `size` a statement: one statement a row costs
 * milliseconds each (a first recommend's 11,000 audit rows took 40 s).
 */
export function valuesBatches(tuples: readonly string[], size = 500): string[] {
  const batches: string[] = [];
  for (let i = 0; i < tuples.length; i += size) batches.push(tuples.slice(i, i + size).join(", "));
  return batches;
}

export function isNumericType(type: string | undefined): boolean {
  return type !== undefined && NUMERIC_TYPE.test(type);
}

/** True for DuckDB's date and time types. */
export function isTimeType(type: string | undefined): boolean {
  return type !== undefined && /^(TIMESTAMP|DATE)/i.test(type);
}

/** Rows of a relation or subquery (optionally filtered), as a number. */
export async function countRows(
  db: Pick<Warehouse, "all">,
  relation: string,
  where?: string,
  params?: Parameters<Warehouse["all"]>[1],
): Promise<number> {
  const [row] = await db.all<{ n: string }>(
    `SELECT count(*)::VARCHAR AS n FROM ${relation}${where ? ` WHERE ${where}` : ""}`,
    params,
  );
  return Number(row?.n ?? 0);
}
