/**
 * One folder per provider, each exporting SourceFormats: how to recognise a
 * file, read it as the provider wrote it, and where its billing account, period,
 * cost and currency are. The loader (load.ts) does the rest the same way for all.
 */

/** What the loader knows about a file before choosing a format. */
export interface FileProbe {
  path: string;
  /** File name in lower case. */
  name: string;
  kind: "csv" | "parquet" | "ndjson" | "json";
  compressed: boolean;
  /** Header names (CSV), schema names (Parquet) or top-level keys (JSON). */
  columns: string[];
}

export interface SourceFormat {
  /** Stable id, used by --format and in ops.loads.source. */
  id: string;
  provider: string;
  description: string;
  /** Table in the `raw` schema that rows land in. */
  rawTable: string;
  detect(probe: FileProbe): boolean;
  /** A SELECT reading the file as the provider wrote it (text for CSV, no type guessing). */
  read(probe: FileProbe): string;
  /** Columns that must be present (matched case-insensitively). */
  requiredColumns: string[];
  /** SQL expressions over the read columns. */
  billingAccount: string;
  billingPeriod: string;
  /** Null for sources without money (metrics). */
  cost: string | null;
  currency: string | null;
  /** Columns that must parse as numbers when not empty; each is checked and reported by row. */
  numericColumns: string[];
}

export function sqlPath(path: string): string {
  return `'${path.replaceAll("'", "''")}'`;
}

/** DuckDB's CSV reader with the dialect fixed and every column as text. */
export function readCsvText(probe: FileProbe): string {
  return `SELECT * FROM read_csv(${sqlPath(probe.path)}, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"',
    nullstr = ['', 'NULL', 'null', 'None'], compression = ${probe.compressed ? "'gzip'" : "'none'"})`;
}

export function hasColumns(probe: FileProbe, names: string[]): boolean {
  const have = new Set(probe.columns.map((c) => c.toLowerCase()));
  return names.every((n) => have.has(n.toLowerCase()));
}

/** Quote an identifier for DuckDB (CUR legacy names contain '/' and ':'). */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
