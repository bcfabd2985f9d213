/** Query results for people (aligned table), scripts (JSON rows) and spreadsheets (CSV). */
import { csvLine } from "../core/csv.ts";
export interface ResultSet {
  columns: string[];
  rows: unknown[][];
}

const text = (v: unknown) =>
  v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);

export function toAlignedTable({ columns, rows }: ResultSet): string {
  const cells = rows.map((r) => r.map(text));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const numeric = columns.map(
    (_, i) => cells.length > 0 && cells.every((r) => r[i] === "" || /^-?\d+(\.\d+)?$/.test(r[i]!)),
  );
  const line = (values: string[]) =>
    values
      .map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [
    line(columns),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...cells.map(line),
    `(${rows.length} row${rows.length === 1 ? "" : "s"})`,
  ].join("\n");
}

/** Rows as objects keyed by column name, for JSON. */
export function toRowObjects({ columns, rows }: ResultSet): Record<string, unknown>[] {
  return rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i] ?? null])));
}

export function toJsonRows(result: ResultSet): string {
  return JSON.stringify(toRowObjects(result), null, 2);
}

export function toCsv({ columns, rows }: ResultSet): string {
  return [csvLine(columns), ...rows.map((r) => csvLine(r.map(text)))].join("\n");
}
