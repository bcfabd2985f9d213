/**
 * The loader. Each file is read once, into a scratch Parquet file carrying the
 * lake's columns; every check (numbers parse, ISO currencies, a billing period on
 * every row) and the cost per currency run on that columnar copy. Landing renames
 * it into the lake (or splits it by account and period), reads the lake files back
 * to reconcile rows and cost to the cent, and then in one transaction records the
 * load, supersedes the periods it restates and points the raw view at the new files.
 *
 * Idempotent: a file whose bytes are already current is skipped. A restated export
 * (same format, billing account and period, new bytes) replaces that period as a
 * whole; the ledger keeps every earlier load. Files of one period that sit next to
 * each other (the parts of a CUR month) land in the same transaction, so a crash
 * never leaves a month half replaced.
 */
import { lit } from "../core/sql.ts";
import { mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { CcoError, InputError, UsageError } from "../core/errors.ts";
import { faultPoint } from "../core/faults.ts";
import type { Progress } from "../core/log.ts";
import type { Warehouse } from "../core/warehouse/warehouse.ts";
import type { SourceFormat } from "./format.ts";
import { FORMATS } from "./providers.ts";
import { checksum, verifyGzip } from "./file-integrity.ts";
import { collectGarbage, lakeFile, STAGING, writeLakeFile } from "./lake.ts";
import {
  isCurrent,
  type LoadPart,
  nextLoadId,
  recordFailure,
  recordLoad,
  recordLoadParts,
  supersedePeriod,
} from "./ledger.ts";
import { ensureRawViews, refreshRawView } from "./raw-views.ts";
import { firstLine, probe, walk } from "./probe.ts";
import { checkRequired, landedTotals, type MoneyColumns, readError, scanSource } from "./validate.ts";

export interface IngestOptions {
  lakeDir: string;
  format?: string;
  continueOnError?: boolean;
}

export interface FileResult {
  file: string;
  format: string | null;
  status: "loaded" | "replaced" | "skipped" | "failed";
  rows: number;
  billingPeriods: string[];
  /** Cost per currency as landed, exact decimal strings. */
  totals: Record<string, string>;
  error?: string;
  warning?: string;
}

/** A file read, checked and summed, waiting to land. */
interface Staged {
  file: string;
  /** The file as read, with the lake's columns added, in a scratch Parquet file. */
  scratch: string;
  loadId: string;
  format: SourceFormat;
  money: MoneyColumns;
  bytes: number;
  sha256: string;
  pairs: { account: string; period: string; rows: number; final: boolean | null }[];
  rows: number;
  totals: Record<string, string>;
  warning?: string;
}

const failed = (file: string, error: string): FileResult => ({
  file,
  format: null,
  status: "failed",
  rows: 0,
  billingPeriods: [],
  totals: {},
  error,
});

export async function ingestPaths(
  warehouse: Warehouse,
  targets: string[],
  options: IngestOptions,
  progress: Progress,
): Promise<FileResult[]> {
  const forced = options.format ? FORMATS.find((f) => f.id === options.format) : undefined;
  if (options.format && !forced) {
    throw new UsageError(
      `unknown --format ${options.format}; one of: ${FORMATS.map((f) => f.id).join(", ")}`,
    );
  }
  await ensureRawViews(warehouse);
  const walked = walk(targets);
  const files = walked.files;
  if (!files.length && !walked.problems.length) {
    throw new UsageError(`no export or metrics files found under ${targets.join(", ")}`);
  }
  const results: FileResult[] = [];
  for (const { file, error } of walked.problems) {
    results.push(failed(file, error.message));
    await recordFailure(warehouse, file, error.message);
    if (!options.continueOnError) throw error;
  }
  if (walked.stale.length) {
    progress.warn(
      `${walked.stale.length} file(s) of older assemblies skipped: their manifests list newer ones`,
    );
  }
  // Periods replaced in this run: a later part of the same month adds to it, never replaces it.
  const replacedThisRun = new Set<string>();
  // Scratch space on the lake's file system, so a staged file becomes a lake file by rename.
  // Scratch left by a load that was killed: no other load can be running (one writer per warehouse).
  rmSync(path.join(options.lakeDir, STAGING), { recursive: true, force: true });
  mkdirSync(path.join(options.lakeDir, STAGING), { recursive: true });
  const scratchDir = mkdtempSync(path.join(options.lakeDir, STAGING, "run-"));
  let group: Staged[] = [];
  const landGroup = async () => {
    const landing = group;
    group = [];
    if (landing.length) results.push(...(await land(warehouse, landing, options.lakeDir, replacedThisRun)));
  };
  try {
    await progress.step(`Ingesting ${files.length} files`, async (tick) => {
      for (const [i, file] of files.entries()) {
        try {
          const staged = await stage(warehouse, file, forced, scratchDir);
          if (staged.warning) progress.warn(`${file}: ${staged.warning}`);
          if ("status" in staged) results.push(staged);
          else {
            if (group.length && groupKey(group[0]!) !== groupKey(staged)) await landGroup();
            group.push(staged);
            faultPoint("ingest:staged");
          }
        } catch (error) {
          const message = error instanceof CcoError ? error.message : `${file}: ${firstLine(error)}`;
          results.push(failed(file, message));
          await recordFailure(warehouse, file, message);
          if (!options.continueOnError)
            throw error instanceof CcoError ? error : new InputError(file, firstLine(error));
        }
        tick(i + 1, files.length);
      }
      await landGroup();
    });
  } finally {
    rmSync(scratchDir, { recursive: true, force: true });
  }
  return results;
}

/** Files land together when they are parts of the same periods of the same export. */
function groupKey(s: Staged): string {
  return `${s.format.rawTable}|${s.pairs.map((p) => `${p.account}/${p.period}`).join(",")}`;
}

/** Probe, detect, check, read and scan one file; or say it is skipped or empty. */
async function stage(
  warehouse: Warehouse,
  file: string,
  forced: SourceFormat | undefined,
  scratchDir: string,
): Promise<Staged | FileResult> {
  const fileProbe = await probe(file, warehouse, scratchDir);
  const format = forced ?? FORMATS.find((f) => f.detect(fileProbe));
  if (!format) {
    throw new InputError(
      file,
      `not a recognised export: columns ${fileProbe.columns.slice(0, 6).join(", ")}… match no format (see cco ingest --help)`,
    );
  }
  checkRequired(fileProbe, format);
  const warning = format.headerWarning?.(fileProbe);
  const money = { cost: format.cost(fileProbe), currency: format.currency(fileProbe) };
  const { sha256, bytes } = await checksum(file);
  const rawTable = `raw.${format.rawTable}`;
  const none = { file, format: format.id, rows: 0, billingPeriods: [], totals: {} };
  if (await isCurrent(warehouse, sha256, rawTable)) return { ...none, status: "skipped" };

  const loadId = await nextLoadId(warehouse);
  const scratch = path.join(scratchDir, `load${loadId}.parquet`);
  const gzipChecked = /\.gz$/i.test(file) ? verifyGzip(file) : Promise.resolve();
  gzipChecked.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
  const copied = await warehouse
    .all<{ Count: string }>(
      `COPY (SELECT *, coalesce(${format.billingAccount(fileProbe)}::VARCHAR, '') AS _billing_account,
          ${format.billingPeriod(fileProbe)}::VARCHAR AS _billing_period, ${lit(file)} AS _source_file,
          now() AS _loaded_at, ${loadId}::BIGINT AS _load_id
        FROM (${format.read(fileProbe)}))
       TO ${lit(scratch)} (FORMAT parquet, COMPRESSION zstd)`,
    )
    .catch(async (error) => {
      await gzipChecked; // a truncated gzip explains a read error better than the reader does
      throw readError(file, format, fileProbe, error);
    });
  try {
    await gzipChecked;
    const scan = await scanSource(warehouse, `read_parquet(${lit(scratch)})`, fileProbe, format, money);
    // The reader's row count against the scan of what it wrote: nothing dropped on the way.
    if (Number(copied[0]!.Count) !== scan.rows) {
      throw new InputError(file, `reconciliation failed: read ${copied[0]!.Count} rows, landed ${scan.rows}`);
    }
    if (scan.rows === 0) {
      // A header-only export is a valid empty month: nothing to land, but recorded.
      rmSync(scratch, { force: true });
      await recordLoad(warehouse, {
        loadId,
        format,
        file,
        bytes,
        sha256,
        account: null,
        period: null,
        rows: 0,
        totals: {},
        status: "loaded",
      });
      return { ...none, status: "loaded", warning: "header only: an empty export, zero rows loaded" };
    }
    return {
      file,
      scratch,
      loadId,
      format,
      money,
      bytes,
      sha256,
      pairs: scan.pairs,
      rows: scan.rows,
      totals: scan.totals,
      ...(warning ? { warning } : {}),
    };
  } catch (error) {
    rmSync(scratch, { force: true });
    throw error;
  }
}

/** Land a group of staged files (see the module comment). */
async function land(
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
      if (parts.length === 1) {
        landed.push({ staged, parts });
        continue;
      }
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
      landed.push({ staged, parts });
    }
    const pairs = [
      ...new Map(group.flatMap((s) => s.pairs).map((p) => [`${p.account}|${p.period}`, p])).values(),
    ];
    faultPoint("ingest:lake-written");
    const status = await warehouse.transaction(async (tx) => {
      let replaced = false;
      for (const pair of pairs) {
        if (replacedThisRun.has(`${rawTable}|${pair.account}|${pair.period}`)) continue;
        if ((await supersedePeriod(tx, rawTable, pair.account, pair.period, group[0]!.loadId)) > 0)
          replaced = true;
      }
      const status: "loaded" | "replaced" = replaced ? "replaced" : "loaded";
      for (const { staged, parts } of landed) {
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
        });
        await recordLoadParts(tx, staged.loadId, rawTable, parts);
      }
      await refreshRawView(tx, rawTable);
      faultPoint("ingest:before-commit");
      return status;
    });
    for (const pair of pairs) replacedThisRun.add(`${rawTable}|${pair.account}|${pair.period}`);
    faultPoint("ingest:committed");
    await collectGarbage(warehouse, lakeDir, format);
    return group.map((s) => ({
      file: s.file,
      format: format.id,
      status,
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
