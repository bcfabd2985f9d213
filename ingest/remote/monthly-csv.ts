/** API sources write what they fetch as CSV files per month, in the layouts the loader reads. */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { csvLine } from "../../core/csv.ts";
import { writeFileAtomic } from "../../core/files.ts";
import { METRIC_KEY_COLUMNS, METRIC_VALUE_COLUMNS } from "../metrics/layout.ts";

export type CsvRow = Record<string, number | string | undefined>;

/** The metrics layout (README "Metrics files"), as API sources write it. */
export const METRIC_FILE_COLUMNS = [...METRIC_KEY_COLUMNS, "source", ...METRIC_VALUE_COLUMNS] as const;

/**
 * One CSV per month of `dateColumn` (YYYY-MM…), named <name>-YYYY-MM.csv, each
 * written whole and renamed into place so a reader never sees half a file.
 */
export function writeMonthlyCsv(
  dir: string,
  name: string,
  columns: readonly string[],
  rows: CsvRow[],
  dateColumn: string,
): string {
  mkdirSync(dir, { recursive: true });
  const byMonth = new Map<string, CsvRow[]>();
  for (const row of rows) {
    const month = String(row[dateColumn]).slice(0, 7);
    byMonth.set(month, [...(byMonth.get(month) ?? []), row]);
  }
  for (const [month, monthRows] of byMonth) {
    const file = path.join(dir, `${name}-${month}.csv`);
    const lines = monthRows.map((r) => csvLine(columns.map((c) => r[c])));
    writeFileAtomic(file, `${[csvLine(columns), ...lines].join("\n")}\n`);
  }
  return dir;
}

/** Hourly samples in the metrics layout, ordered by resource and hour. */
export function writeMonthlyMetrics(dir: string, source: string, samples: CsvRow[]): string {
  const sorted = [...samples].sort((a, b) =>
    `${a.resource_id}${a.timestamp}`.localeCompare(`${b.resource_id}${b.timestamp}`),
  );
  return writeMonthlyCsv(dir, `${source}-metrics`, METRIC_FILE_COLUMNS, sorted, "timestamp");
}
