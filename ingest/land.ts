/**
 * Landing staged files: each becomes lake files (renamed into place, or split by billing
 * account and period and read back to reconcile), then one transaction records the loads,
 * supersedes what they restate and points the raw view at the new files. A restatement
 * supersedes its billing periods (parts of one export landing together never supersede each
 * other); a slice supersedes only earlier deliveries of the same file.
 */
import { mkdirSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { InputError } from "../core/errors.ts";
import { faultPoint } from "../core/faults.ts";
import { lit } from "../core/sql.ts";
import type { Warehouse } from "../core/warehouse/warehouse.ts";
import { collectGarbage, lakeFile, writeLakeFile } from "./lake.ts";
import { type LoadPart, recordLoad, recordLoadParts, supersedeFile, supersedePeriod } from "./ledger.ts";
import { refreshRawView } from "./raw-views.ts";
import type { FileResult, Staged } from "./stage.ts";
import { landedTotals } from "./validate.ts";

/**
 * Files land together when they are parts of the same periods of the same export. Slices of one
 * table land together too (each superseding only its own earlier deliveries, in order): OCI's
 * daily FOCUS files and hourly metrics come by the hundred, and a transaction each cost more
 * than reading them. An Azure cost details file no manifest lists lands alone: Azure writes such
 * an export whole, one file per run, so several in one folder are successive month-to-date runs,
 * each restating the month (the newest, landed last, wins), never parts to add up.
 */
function groupKey(s: Staged): string {
  if (s.delivery === "slice") return `${s.format.rawTable}|slice`;
  if (isWholeRun(s)) return `${s.format.rawTable}|run|${s.loadId}`;
  return `${s.format.rawTable}|${s.pairs.map((p) => `${p.account}/${p.period}`).join(",")}`;
}

/** Slices landing in one transaction at most: what a crash can cost, and scratch space waiting. */
const SLICES_PER_LANDING = 200;

/** Whether `staged` lands in the same transaction as the files gathered in `group` (non-empty). */
export function joinsGroup(group: Staged[], staged: Staged): boolean {
  if (staged.delivery === "slice" && group.length >= SLICES_PER_LANDING) return false;
  return groupKey(group[0]!) === groupKey(staged);
}

/** An Azure cost details file no manifest lists: one whole run of its export (see groupKey). */
const isWholeRun = (s: Staged) =>
  s.format.provider === "azure" && !s.governed && s.delivery === "restatement";

/** Land a group of staged files (see the module comment). */
export async function land(
  warehouse: Warehouse,
  group: Staged[],
  lakeDir: string,
  replacedThisRun: Set<string>,
): Promise<FileResult[]> {
  const format = group[0]!.format;
  const rawTable = `raw.${format.rawTable}`;
  const written: string[] = [];
  const landed: { staged: Staged; parts: LoadPart[] }[] = [];
  try {
    for (const staged of group) {
      const parts = [];
      for (const pair of staged.pairs) {
        const file = lakeFile(lakeDir, format, pair.account, pair.period, staged.loadId);
        mkdirSync(path.dirname(file), { recursive: true });
        written.push(file);
        if (staged.pairs.length === 1) renameSync(staged.scratch, file);
        else await writeLakeFile(warehouse, `read_parquet(${lit(staged.scratch)})`, file, pair);
        parts.push({ ...pair, file });
      }
      rmSync(staged.scratch, { force: true });
      // A staged file that was split by account and period is read back whole; one that
      // was renamed into place is the very file the scan summed.
      if (parts.length > 1) {
        const back = await landedTotals(
          warehouse,
          parts.map((p) => p.file),
          staged.money,
        );
        if (back.rows !== staged.rows || JSON.stringify(back.totals) !== JSON.stringify(staged.totals)) {
          throw new InputError(
            staged.file,
            `reconciliation failed: source ${staged.rows} rows ${JSON.stringify(staged.totals)} vs landed ${back.rows} rows ${JSON.stringify(back.totals)}`,
          );
        }
      }
      landed.push({ staged, parts });
    }
    const pairs = [
      ...new Map(group.flatMap((s) => s.pairs).map((p) => [`${p.account}|${p.period}`, p])).values(),
    ];
    const restatement = group[0]!.delivery === "restatement";
    // Parts of one export landing in several groups never supersede each other; a whole run does.
    const partOfRun = restatement && !isWholeRun(group[0]!);
    faultPoint("ingest:lake-written");
    const statuses = await warehouse.transaction(async (tx) => {
      let superseded = 0;
      if (restatement) {
        for (const pair of pairs) {
          if (partOfRun && replacedThisRun.has(`${rawTable}|${pair.account}|${pair.period}`)) continue;
          superseded += await supersedePeriod(tx, rawTable, pair.account, pair.period, group[0]!.loadId);
        }
      }
      const statuses: ("loaded" | "replaced")[] = [];
      for (const { staged, parts } of landed) {
        // A slice supersedes its own earlier deliveries, one landed earlier in this group included.
        const replaced = restatement
          ? superseded > 0
          : (await supersedeFile(tx, rawTable, staged.fileKey, staged.loadId)) > 0;
        const status = replaced ? "replaced" : "loaded";
        statuses.push(status);
        await recordLoad(tx, {
          loadId: staged.loadId,
          format,
          file: staged.file,
          bytes: staged.bytes,
          sha256: staged.sha256,
          account: staged.pairs[0]!.account,
          period: [...new Set(staged.pairs.map((p) => p.period))].join(","),
          rows: staged.rows,
          totals: staged.totals,
          status,
          delivery: staged.delivery,
          fileKey: staged.fileKey,
        });
        await recordLoadParts(tx, staged.loadId, rawTable, parts);
      }
      await refreshRawView(tx, rawTable);
      faultPoint("ingest:before-commit");
      return statuses;
    });
    if (partOfRun)
      for (const pair of pairs) replacedThisRun.add(`${rawTable}|${pair.account}|${pair.period}`);
    faultPoint("ingest:committed");
    await collectGarbage(warehouse, lakeDir, format);
    return group.map((s, i) => ({
      file: s.file,
      format: format.id,
      status: statuses[i]!,
      rows: s.rows,
      billingPeriods: [...new Set(s.pairs.map((p) => p.period))],
      totals: s.totals,
      ...(s.warning ? { warning: s.warning } : {}),
    }));
  } catch (error) {
    for (const file of written) rmSync(file, { force: true });
    for (const staged of group) rmSync(staged.scratch, { force: true });
    throw error;
  }
}
