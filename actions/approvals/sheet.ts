/**
 * The approval table as a file: xlsx (exceljs) for spreadsheet users, CSV for any sheet tool,
 * the same columns in both. Writing is atomic (a partial file renamed into place); reading gives
 * each data row with its row number in the file, as the user sees it in their sheet tool.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import ExcelJS from "exceljs";
import { csvLine } from "../../core/csv.ts";
import { InputError } from "../../core/errors.ts";
import { produceFileAtomic } from "../../core/files.ts";
import {
  cellText,
  DECISIONS,
  EDITABLE_COLUMNS,
  MONEY_COLUMNS,
  type QueueColumn,
  type QueueRow,
  readOnlyCells,
  SHEET_COLUMNS,
  type SheetColumn,
} from "./columns.ts";

export type SheetFormat = "xlsx" | "csv";

export const SHEET_NAME = "approvals";

export function formatOf(file: string): SheetFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === ".xlsx") return "xlsx";
  if (ext === ".csv" || ext === ".txt") return "csv";
  throw new InputError(file, "not an approval table: expected a .xlsx or .csv file");
}

export function fileSha256(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

export async function writeSheet(file: string, format: SheetFormat, rows: QueueRow[]): Promise<void> {
  await produceFileAtomic(file, (partial) =>
    format === "xlsx" ? writeXlsx(partial, rows) : writeCsv(partial, rows),
  );
}

async function writeCsv(file: string, rows: QueueRow[]): Promise<void> {
  const { writeFileSync } = await import("node:fs");
  const lines = [csvLine(SHEET_COLUMNS)];
  for (const row of rows) {
    const cells = readOnlyCells(row);
    lines.push(csvLine(SHEET_COLUMNS.map((c) => (c in cells ? cells[c as QueueColumn] : ""))));
  }
  writeFileSync(file, `${lines.join("\n")}\n`);
}

/** Light fills a reviewer can scan by; the risk level is also in its own column. */
const RISK_FILL: Record<string, string> = { low: "FFE2F0D9", medium: "FFFFF2CC", high: "FFF8D7DA" };
const WIDTH: Partial<Record<SheetColumn, number>> = {
  decision: 11,
  execute_after: 20,
  acknowledge_irreversible: 12,
  note: 30,
  recommendation_id: 34,
  version: 34,
  resource_id: 40,
  top_risk_factor: 50,
  mitigations: 50,
  queued_at: 25,
};

async function writeXlsx(file: string, rows: QueueRow[]): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = "cco";
  const sheet = workbook.addWorksheet(SHEET_NAME, { views: [{ state: "frozen", ySplit: 1 }] });
  sheet.columns = SHEET_COLUMNS.map((c) => ({ header: c, key: c, width: WIDTH[c] ?? 16 }));
  sheet.getRow(1).font = { bold: true };
  for (const row of rows) {
    const cells = readOnlyCells(row);
    const values: Record<string, string | number | null> = {};
    for (const column of SHEET_COLUMNS) {
      const text = column in cells ? cells[column as QueueColumn] : "";
      // Numbers stay numbers (a sheet tool sums and sorts them); everything else is text.
      const numeric = (MONEY_COLUMNS as string[]).concat("priority", "risk_score", "required_approvals");
      values[column] = numeric.includes(column) && text !== "" ? Number(text) : text || null;
    }
    const added = sheet.addRow(values);
    const fill = RISK_FILL[row.risk_level ?? ""];
    added.eachCell({ includeEmpty: true }, (cell, col) => {
      const column = SHEET_COLUMNS[col - 1]!;
      if (fill) cell.fill = { type: "pattern", pattern: "solid", fgColor: { argb: fill } };
      if ((MONEY_COLUMNS as string[]).includes(column)) cell.numFmt = "#,##0.00";
      if (column === "priority") cell.numFmt = "0.00";
      if ((EDITABLE_COLUMNS as readonly string[]).includes(column)) {
        cell.protection = { locked: false };
        // Text, so a typed date stays the ISO text the import reads, not a local serial number.
        cell.numFmt = "@";
      }
    });
    const decision = added.getCell(SHEET_COLUMNS.indexOf("decision") + 1);
    decision.dataValidation = {
      type: "list",
      allowBlank: true,
      formulae: [`"${DECISIONS.join(",")}"`],
      showErrorMessage: true,
      errorTitle: "decision",
      error: `One of ${DECISIONS.join(", ")}, or blank`,
    };
    added.getCell(SHEET_COLUMNS.indexOf("acknowledge_irreversible") + 1).dataValidation = {
      type: "list",
      allowBlank: true,
      formulae: ['"yes"'],
      showErrorMessage: true,
      error: "yes, or blank",
    };
  }
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: SHEET_COLUMNS.length } };
  // No password: protection only keeps honest users from editing a read-only cell by mistake
  // (any tool removes it); the import's cell-by-cell check is the real guard.
  await sheet.protect("", {
    selectLockedCells: true,
    selectUnlockedCells: true,
    formatColumns: true,
    formatRows: true,
    autoFilter: true,
    sort: false,
  });
  await workbook.xlsx.writeFile(file);
}

/** A data row of a sheet: its row number in the file (the header is row 1) and its cells by column. */
export interface SheetRow {
  row: number;
  cells: Partial<Record<SheetColumn, unknown>>;
}

/**
 * The data rows of an approval table file; a missing column is an error naming the file and
 * column, unless `lenient` (a table written by an older version: its missing cells read blank).
 */
export async function readSheet(file: string, options: { lenient?: boolean } = {}): Promise<SheetRow[]> {
  const format = formatOf(file);
  const { header, rows } = format === "xlsx" ? await readXlsx(file) : readCsvRows(file);
  const missing = SHEET_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length && !options.lenient) {
    throw new InputError(
      file,
      `missing column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}: export the table again (cco approvals export)`,
      { row: 1, column: missing[0] },
    );
  }
  return rows
    .map(({ row, values }) => ({
      row,
      cells: Object.fromEntries(
        SHEET_COLUMNS.map((c) => [c, values[header.indexOf(c)]]),
      ) as SheetRow["cells"],
    }))
    .filter((r) => Object.values(r.cells).some((v) => cellText(v).trim() !== ""));
}

async function readXlsx(
  file: string,
): Promise<{ header: string[]; rows: { row: number; values: unknown[] }[] }> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.readFile(file);
  } catch (error) {
    // exceljs trips over damaged content with TypeErrors of its own: name the damage, not its internals.
    const detail =
      error instanceof TypeError || error instanceof RangeError
        ? "it is damaged (its sheet's XML does not hold together)"
        : error instanceof Error
          ? error.message
          : String(error);
    throw new InputError(file, `cannot read the workbook: ${detail}`);
  }
  const sheet = workbook.getWorksheet(SHEET_NAME) ?? workbook.worksheets[0];
  if (!sheet) throw new InputError(file, "the workbook has no sheet");
  const cellsOf = (r: ExcelJS.Row) => {
    const values: unknown[] = [];
    r.eachCell({ includeEmpty: true }, (cell, col) => {
      values[col - 1] = cell.value;
    });
    return values;
  };
  const header = cellsOf(sheet.getRow(1)).map((v) => cellText(v).trim());
  const rows: { row: number; values: unknown[] }[] = [];
  sheet.eachRow((r, n) => {
    if (n > 1) rows.push({ row: n, values: cellsOf(r) });
  });
  return { header, rows };
}

/**
 * CSV as RFC 4180, with what sheet tools add on saving: a byte-order mark, CRLF, and `;` or tab
 * as the separator in some locales (detected from the header). Rows carry the line they start on.
 */
export function readCsvRows(file: string): { header: string[]; rows: { row: number; values: unknown[] }[] } {
  const text = readFileSync(file, "utf8").replace(/^\uFEFF/, "");
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const separator = [",", ";", "\t"].reduce((best, s) =>
    firstLine.split(s).length > firstLine.split(best).length ? s : best,
  );
  const records: { row: number; values: string[] }[] = [];
  let values: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let start = 1;
  const endRecord = () => {
    values.push(field);
    records.push({ row: start, values });
    values = [];
    field = "";
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\n") line++;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === separator) {
      values.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r") {
        // CRLF (or a lone CR): one line break, counted once.
        if (text[i + 1] === "\n") i++;
        line++;
      }
      endRecord();
      start = line;
    } else field += c;
  }
  if (quoted) throw new InputError(file, "a quoted field is never closed", { row: start });
  if (field || values.length) endRecord();
  const [header, ...rows] = records;
  return { header: (header?.values ?? []).map((h) => h.trim()), rows };
}
