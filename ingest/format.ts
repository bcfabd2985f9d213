/**
 * One folder per provider, each exporting SourceFormats: how to recognise a
 * file, read it as the provider wrote it, and where its billing account, period,
 * cost and currency are. The loader (load.ts) does the rest the same way for all.
 */

import { type DbtProject, loadProject } from "../core/dbt/project.ts";
import { renderMacro } from "../core/dbt/render.ts";
import { PROJECT_ROOT } from "../core/paths.ts";
import { ident, lit } from "../core/sql.ts";

/** What the loader knows about a file before choosing a format. */
export interface FileProbe {
  path: string;
  /** What DuckDB reads: the file itself, or a copy with line endings made uniform. */
  readPath: string;
  /** File name in lower case. */
  name: string;
  kind: "csv" | "parquet" | "ndjson" | "json";
  /** ndjson: one object per line, or pretty-printed objects one after another. */
  jsonLayout?: "newline_delimited" | "unstructured";
  compressed: boolean;
  /** Column names: CSV header (localized "Name (EnglishName)" reduced to EnglishName), Parquet schema, or JSON keys. */
  columns: string[];
  /** The header as written, for messages. */
  rawColumns: string[];
  /** DuckDB types, where the file declares them (Parquet). */
  types: Record<string, string>;
}

export interface SourceFormat {
  /** Stable id, used by --format and in ops.loads.source. */
  id: string;
  provider: string;
  description: string;
  /** Table in the `raw` schema that rows land in. */
  rawTable: string;
  /**
   * How a new file relates to the billing periods already loaded, when no manifest says
   * (files a manifest lists always restate their periods): "restatement" when the provider
   * re-delivers whole periods (a CUR month, an Azure month-to-date export), so the new file
   * replaces them; "slice" when files are pieces of periods (OCI's daily FOCUS reports, metrics,
   * GCP's daily file exports), so a new file adds and only a re-delivered file of the same
   * name replaces its earlier version.
   */
  delivery(probe: FileProbe): "restatement" | "slice";
  detect(probe: FileProbe): boolean;
  /** A SELECT reading the file as the provider wrote it (text for CSV, no type guessing). */
  read(probe: FileProbe): string;
  /** Columns that must be present (case-insensitive); a list means any one of them. */
  requiredColumns: (string | string[])[];
  /** SQL expressions over the read columns, for this file's schema. */
  billingAccount(probe: FileProbe): string;
  billingPeriod(probe: FileProbe): string;
  /** Null for sources without money (metrics). */
  cost(probe: FileProbe): string | null;
  currency(probe: FileProbe): string | null;
  /** Columns that must parse as numbers when not empty; each is checked and reported by row. */
  numericColumns: string[];
  /** Columns that must parse as dates or timestamps when not empty (every form parseTimestamp knows). */
  dateColumns?: string[];
  /** SQL true on a row whose invoice is final; a period is final when every row is. Absent: cannot tell. */
  finalWhen?(probe: FileProbe): string | undefined;
  /**
   * Why a file that looks like this provider's is not cost rows to load (e.g. another dataset of
   * the same specification), or undefined. The file is refused with that reason.
   */
  refuse?(probe: FileProbe): string | undefined;
  /** A defect in the header that does not misalign the data (e.g. two names fused), reported as a warning. */
  headerWarning?(probe: FileProbe): string | undefined;
}

/** The first of `candidates` the file has (case-insensitive), as written in the file. */
export function pick(probe: FileProbe, ...candidates: string[]): string | undefined {
  for (const candidate of candidates) {
    const found = probe.columns.find((c) => c.toLowerCase() === candidate.toLowerCase());
    if (found) return found;
  }
  return undefined;
}

/** Like pick, quoted for SQL; NULL when the file has none of them. */
export function col(probe: FileProbe, ...candidates: string[]): string {
  const found = pick(probe, ...candidates);
  return found ? ident(found) : "NULL";
}

export function hasColumns(probe: FileProbe, names: (string | string[])[]): boolean {
  return names.every((n) => pick(probe, ...(Array.isArray(n) ? n : [n])) !== undefined);
}

/**
 * DuckDB's CSV reader with the dialect and the columns fixed (from the header we
 * parsed): every column is text, and a row with more or fewer fields than the
 * header is an error instead of a guess.
 */
export function readCsvText(probe: FileProbe): string {
  const columns = probe.columns.map((c, i) => `${lit(c || `column${i}`)}: 'VARCHAR'`).join(", ");
  return `SELECT * FROM read_csv(${lit(probe.readPath)}, header = true, auto_detect = false, columns = {${columns}},
    delim = ',', quote = '"', escape = '"', nullstr = ['', 'NULL', 'null', 'None'],
    compression = ${probe.compressed ? "'gzip'" : "'none'"})`;
}

let project: DbtProject | undefined;

/** A macro of the dbt project: where ingest must read a value exactly as the models will. */
function macro(name: string, ...args: unknown[]): string {
  project ??= loadProject(PROJECT_ROOT);
  return renderMacro(project, name, ...args);
}

/**
 * Timestamps in every form exports write (ISO 8601 with or without zone, US M/D/Y dates), by the
 * models' own definition (macros/parse_timestamp.sql): ingest never accepts a date staging reads
 * differently.
 */
export function parseTimestamp(expr: string): string {
  return macro("parse_timestamp", expr);
}

/** Exact money from text or a number, by the models' definition (macros/money.sql); NULL where it does not parse. */
export function parseMoney(expr: string): string {
  return macro("money", expr, "null");
}

/** YYYY-MM of a date in any supported form; an ISO date keeps its own (local) month. */
export function monthOf(expr: string): string {
  return `CASE WHEN regexp_matches(${expr}::VARCHAR, '^\\d{4}-\\d{2}') THEN substr(${expr}::VARCHAR, 1, 7)
    ELSE strftime(${parseTimestamp(expr)}, '%Y-%m') END`;
}
