/**
 * Writing the approval table without ever losing a decision: a file that holds decisions not yet
 * imported is not overwritten unless the user says how (import them first, or force, which keeps
 * a dated copy). The file replaced is kept beside it as <name>.prev.<ext> (the extension kept so
 * a sheet tool still opens it). Each export remembers the rows as written
 * (ops.approval_exported_rows), so the import can tell an edit from a value that moved since.
 */
import { copyFileSync, existsSync, renameSync } from "node:fs";
import path from "node:path";
import type { Config } from "../../core/config.ts";
import { CcoError, UsageError } from "../../core/errors.ts";
import { faultPoint } from "../../core/faults.ts";
import { partialOf } from "../../core/files.ts";
import { lit, valuesBatches } from "../../core/sql.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";
import { type QueueRow, readOnlyCells } from "./columns.ts";
import { type ImportResult, importDecisions, pendingRows } from "./decisions.ts";
import { escalateWaiting } from "./escalate.ts";
import { readQueue, refreshApprovalQueue } from "./queue.ts";
import { formatOf, type SheetFormat, writeSheet } from "./sheet.ts";
import { createHash } from "node:crypto";

/** The file holds typed decisions that were never imported (exit 1). */
export class PendingDecisionsError extends CcoError {}

export interface ExportResult {
  file: string;
  format: SheetFormat;
  rows: number;
  /** The file replaced, kept. */
  previous?: string;
  /** Decisions imported before exporting (--import-first). */
  imported?: ImportResult;
  /** Decisions overwritten with --force, and the dated copy that still holds them. */
  discarded?: { rows: number; keptIn: string };
}

/** <dir>/<name>.<tag>.<ext>: beside the file, still opening in a sheet tool. */
export function besideFile(file: string, tag: string): string {
  const ext = path.extname(file);
  return path.join(path.dirname(file), `${path.basename(file, ext)}.${tag}${ext}`);
}

const stamp = (now: Date) =>
  now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");

/** A copy that is whole or absent: a kill mid-copy must not leave half of a file of decisions. */
function copyWhole(from: string, to: string): void {
  copyFileSync(from, partialOf(to));
  renameSync(partialOf(to), to);
}

/** Rows of `file` holding a decision not imported; an unreadable table counts as one that might. */
async function pendingIn(
  warehouse: Warehouse,
  file: string,
): Promise<{ rows: number[]; unreadable?: string }> {
  if (!existsSync(file)) return { rows: [] };
  try {
    return { rows: (await pendingRows(warehouse, file)).map((r) => r.row) };
  } catch (error) {
    if (error instanceof CcoError) return { rows: [], unreadable: error.message };
    throw error;
  }
}

async function requireRecommendations(warehouse: Warehouse): Promise<void> {
  if (!(await warehouse.tableExists("marts", "recommendations"))) {
    throw new UsageError("marts.recommendations does not exist: run cco recommend (or cco run) first");
  }
}

/** `cco approvals export`: refresh the queue, then write it, refusing to destroy typed decisions. */
export async function exportApprovals(
  warehouse: Warehouse,
  config: Pick<Config, "approvals" | "notifications">,
  options: { out: string; format?: SheetFormat; force?: boolean; importFirstAs?: string; now?: Date },
): Promise<ExportResult> {
  await requireRecommendations(warehouse);
  const file = path.resolve(options.out);
  const format = options.format ?? formatOf(file);
  const now = options.now ?? new Date();
  const result: ExportResult = { file, format, rows: 0 };
  const pending = await pendingIn(warehouse, file);
  if (pending.unreadable && !options.force) {
    throw new PendingDecisionsError(
      `${file} exists and cannot be read as an approval table (${pending.unreadable}); it may hold decisions: ` +
        "move it away, or export with --force (it is kept beside as a dated copy)",
    );
  }
  if (pending.rows.length) {
    if (options.importFirstAs) {
      // Against the queue the user decided on: before the refresh below moves any version.
      result.imported = await importDecisions(warehouse, config, file, options.importFirstAs, {
        now,
        onlyPending: true,
      });
    } else if (!options.force) {
      const n = pending.rows.length;
      throw new PendingDecisionsError(
        `${file} holds ${n} decision${n > 1 ? "s" : ""} not imported yet (row${n > 1 ? "s" : ""} ${pending.rows.join(", ")}); ` +
          `import ${n > 1 ? "them" : "it"} first (cco approvals import ${file} --as <you>), or export with ` +
          "--import-first --as <you>, or with --force to overwrite (the file is then kept as a dated copy)",
      );
    }
  }
  if ((pending.rows.length && !result.imported) || pending.unreadable) {
    const keptIn = besideFile(file, `unimported-${stamp(now)}`);
    copyWhole(file, keptIn);
    result.discarded = { rows: pending.rows.length, keptIn };
  }
  await refreshApprovalQueue(warehouse, config, now);
  const rows = await readQueue(warehouse);
  if (existsSync(file)) {
    result.previous = besideFile(file, "prev");
    copyWhole(file, result.previous);
  }
  // Remembered before the file is written: a kill between the two must not leave a table on disk
  // whose rows the import cannot tell from edits (a kill the other way round leaves only a
  // remembered row never written, which nothing compares with).
  await rememberExported(warehouse, rows, now);
  await writeSheet(file, format, rows);
  faultPoint("approvals:sheet-written");
  result.rows = rows.length;
  return result;
}

/** Keep each row's read-only cells as written, once per distinct content. */
async function rememberExported(warehouse: Warehouse, rows: QueueRow[], now: Date): Promise<void> {
  const values = rows.map((row) => {
    const cells = JSON.stringify(readOnlyCells(row));
    const sha = createHash("sha256").update(cells).digest("hex");
    return `(${lit(row.recommendation_id)}, ${lit(row.version)}, ${lit(sha)}, ${lit(cells)}::json, ${lit(now.toISOString())}::timestamptz)`;
  });
  await warehouse.transaction(async (tx) => {
    for (const batch of valuesBatches(values)) {
      await tx.run(`insert into ops.approval_exported_rows values ${batch} on conflict do nothing`);
    }
  });
}

export interface PipelineApprovalTable {
  /** Where the table was written: approvals.csv, or a dated file beside it when that holds decisions. */
  file: string;
  rows: number;
  /** approvals.csv was left alone: it holds this many decisions not yet imported. */
  keptPending?: number;
}

/**
 * The pipeline's approval table (cco recommend, cco run): refresh the queue, send what is due
 * (approval needed, escalations), write <exports>/approvals.csv. A pipeline run never destroys
 * typed decisions: if approvals.csv holds some not yet imported, the new table goes beside it
 * (approvals.<time>.csv) and a warning says so.
 */
export async function writePipelineApprovalTable(
  warehouse: Warehouse,
  config: Pick<Config, "approvals" | "notifications" | "paths">,
  warn: (message: string) => void,
  now: Date = new Date(),
): Promise<PipelineApprovalTable> {
  const file = path.join(config.paths.exports, "approvals.csv");
  const pending = await pendingIn(warehouse, file);
  if (!pending.rows.length && !pending.unreadable) {
    const written = await exportApprovals(warehouse, config, { out: file, format: "csv", now });
    await escalateWaiting(warehouse, config, now);
    return { file, rows: written.rows };
  }
  const beside = besideFile(file, stamp(now));
  const written = await exportApprovals(warehouse, config, { out: beside, format: "csv", now });
  await escalateWaiting(warehouse, config, now);
  warn(
    pending.unreadable
      ? `${file} cannot be read as an approval table (${pending.unreadable}); it was left alone and the new table written to ${beside}`
      : `${file} holds ${pending.rows.length} decisions not imported yet; it was left alone and the new table written to ${beside} ` +
          `(import them: cco approvals import ${file} --as <you>)`,
  );
  return { file: beside, rows: written.rows, keptPending: pending.rows.length };
}
