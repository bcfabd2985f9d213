/**
 * The approval table's columns, shared by the queue, the export and the import: the sheet holds
 * exactly ops.approval_queue's columns (read-only) plus the editable ones, under the same names.
 * Cells are compared as normalized text, so a number a sheet tool reformatted (91.9 for 91.90) or
 * a boolean it turned into TRUE is not mistaken for an edit.
 */

/** ops.approval_queue's columns, in the table's order; read-only in the sheet. */
export const QUEUE_COLUMNS = [
  "recommendation_id",
  "version",
  "provider",
  "billing_account_id",
  "sub_account_id",
  "resource_id",
  "region",
  "detector",
  "category",
  "action",
  "action_kind",
  "irreversible",
  "current_configuration",
  "target_configuration",
  "estimated_monthly_savings",
  "list_monthly_savings",
  "currency",
  "risk_level",
  "risk_score",
  "top_risk_factor",
  "mitigations",
  "priority",
  "required_approvals",
  "queued_at",
] as const;

/** What the approver types. */
export const EDITABLE_COLUMNS = ["decision", "execute_after", "acknowledge_irreversible", "note"] as const;

/** The sheet: the decision first (it is what a reviewer edits), then the queue row. */
export const SHEET_COLUMNS = [...EDITABLE_COLUMNS, ...QUEUE_COLUMNS] as const;

export type QueueColumn = (typeof QUEUE_COLUMNS)[number];
export type EditableColumn = (typeof EDITABLE_COLUMNS)[number];
export type SheetColumn = (typeof SHEET_COLUMNS)[number];

export const DECISIONS = ["approve", "reject", "defer"] as const;
export type Decision = (typeof DECISIONS)[number];

type NotNullText =
  | "recommendation_id"
  | "version"
  | "provider"
  | "detector"
  | "category"
  | "action"
  | "estimated_monthly_savings"
  | "currency"
  | "queued_at";

/** A queue row as the warehouse returns it (DECIMAL as exact text, timestamps as text). */
export type QueueRow = {
  [K in QueueColumn]: K extends "irreversible"
    ? boolean
    : K extends "required_approvals"
      ? number
      : K extends "risk_score"
        ? number | null
        : K extends NotNullText
          ? string
          : string | null;
};

export const MONEY_COLUMNS: readonly QueueColumn[] = ["estimated_monthly_savings", "list_monthly_savings"];
const TWO_DECIMALS: readonly QueueColumn[] = [...MONEY_COLUMNS, "priority"];
const INTEGERS: readonly QueueColumn[] = ["risk_score", "required_approvals"];

/** A cell's value as text, whatever a sheet tool stored (exceljs: rich text, formulas, dates). */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  // A date cell a tool wrote out of range reads as an invalid Date: its text is what it shows, not a throw.
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
  if (typeof value === "object") {
    const v = value as { richText?: { text: string }[]; result?: unknown; text?: unknown; error?: string };
    if (v.richText) return v.richText.map((r) => r.text).join("");
    if ("result" in v) return cellText(v.result);
    if ("text" in v) return cellText(v.text);
    if (v.error) return v.error;
    return JSON.stringify(value);
  }
  return String(value);
}

/** A read-only cell in the one spelling export and import compare. */
export function normalizeCell(column: QueueColumn, value: unknown): string {
  const text = cellText(value).trim();
  if (text === "") return "";
  if (column === "irreversible") {
    if (/^(true|yes|1)$/i.test(text)) return "yes";
    if (/^(false|no|0)$/i.test(text)) return "no";
    return text;
  }
  const number = Number(text);
  if (TWO_DECIMALS.includes(column) && Number.isFinite(number)) return number.toFixed(2);
  if (INTEGERS.includes(column) && Number.isFinite(number)) return String(number);
  if (column === "queued_at") {
    const at = parseWarehouseTime(text);
    return at ? at.toISOString() : text;
  }
  return text;
}

/** The read-only cells of a queue row, normalized (what the export writes and remembers). */
export function readOnlyCells(row: QueueRow): Record<QueueColumn, string> {
  return Object.fromEntries(QUEUE_COLUMNS.map((c) => [c, normalizeCell(c, row[c])])) as Record<
    QueueColumn,
    string
  >;
}

/** DuckDB's TIMESTAMPTZ text ("2026-01-02 03:04:05.123+00") or ISO text as a Date; undefined if neither. */
export function parseWarehouseTime(text: string): Date | undefined {
  const iso = text.replace(" ", "T").replace(/([+-]\d{2})$/, "$1:00");
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? undefined : at;
}
