/**
 * The loader: detect, validate, stage, then land in `raw` with the ledger row and
 * a per-currency reconciliation to the cent, all in one transaction; finally the
 * landed billing periods go to the lake as zstd Parquet.
 *
 * Idempotent: a file whose bytes were already loaded is skipped. A restated
 * export (same format, billing account and period, new bytes) replaces that
 * period as a whole; the ledger keeps every earlier load. Files of one period
 * that sit next to each other (the parts of a CUR month) land in the same
 * transaction, so a crash never leaves a month half replaced.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { CcoError, InputError, UsageError } from "../core/errors.ts";
import type { Progress } from "../core/log.ts";
import type { TransactionScope, Warehouse } from "../core/warehouse/warehouse.ts";
import { ident, type SourceFormat, sqlPath } from "./format.ts";
import { FORMATS } from "./formats.ts";
import { writeLake } from "./lake.ts";
import { checksum, recordFailure, recordLoad } from "./ledger.ts";
import { firstLine, probe, walk } from "./probe.ts";
import { checkRequired, type MoneyColumns, readError, totalsIn, validate } from "./validate.ts";

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

/** A file read into a temp table and validated, waiting to land. */
interface Staged {
  file: string;
  table: string;
  format: SourceFormat;
  money: MoneyColumns;
  bytes: number;
  sha256: string;
  pairs: { account: string; period: string }[];
  rows: number;
  totals: Record<string, string>;
  warning?: string;
}

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
  const files = targets.flatMap((t) => walk(t));
  if (!files.length) throw new UsageError(`no export or metrics files found under ${targets.join(", ")}`);
  const results: FileResult[] = [];
  // Periods replaced in this run: a later part of the same month adds to it, never replaces it.
  const replacedThisRun = new Set<string>();
  const scratchDir = mkdtempSync(path.join(os.tmpdir(), "cco-ingest-"));
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
          const staged = await stage(warehouse, file, forced, scratchDir, i);
          if ("status" in staged) {
            if (staged.warning) progress.warn(`${file}: ${staged.warning}`);
            results.push(staged);
          } else {
            if (staged.warning) progress.warn(`${file}: ${staged.warning}`);
            if (group.length && groupKey(group[0]!) !== groupKey(staged)) await landGroup();
            group.push(staged);
          }
        } catch (error) {
          const message = error instanceof CcoError ? error.message : `${file}: ${firstLine(error)}`;
          results.push({
            file,
            format: null,
            status: "failed",
            rows: 0,
            billingPeriods: [],
            totals: {},
            error: message,
          });
          await recordFailure(warehouse, file, message);
          if (!options.continueOnError)
            throw error instanceof CcoError ? error : new InputError(file, firstLine(error));
        }
        tick(i + 1, files.length);
      }
      await landGroup();
    });
  } finally {
    for (const staged of group) await warehouse.run(`DROP TABLE IF EXISTS ${staged.table}`);
    rmSync(scratchDir, { recursive: true, force: true });
  }
  return results;
}

/** Files land together when they are parts of the same periods of the same export. */
function groupKey(s: Staged): string {
  return `${s.format.rawTable}|${s.pairs.map((p) => `${p.account}/${p.period}`).join(",")}`;
}

/** Probe, detect, check and read one file into a temp table; or say it is skipped or empty. */
async function stage(
  warehouse: Warehouse,
  file: string,
  forced: SourceFormat | undefined,
  scratchDir: string,
  n: number,
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
  if (await warehouse.tableExists("raw", format.rawTable)) {
    const already = await warehouse.all(
      `SELECT 1 FROM ${rawTable} WHERE _load_id IN (SELECT load_id FROM ops.loads WHERE file_sha256 = $1 AND raw_table = $2) LIMIT 1`,
      [sha256, rawTable],
    );
    if (already.length) return { ...none, status: "skipped" };
  }
  const table = `_stage_${n}`;
  await warehouse
    .run(`CREATE OR REPLACE TEMP TABLE ${table} AS
      SELECT *, row_number() OVER () AS _row,
        coalesce(${format.billingAccount(fileProbe)}::VARCHAR, '') AS _billing_account,
        ${format.billingPeriod(fileProbe)}::VARCHAR AS _billing_period
      FROM (${format.read(fileProbe)})`)
    .catch((error) => {
      throw readError(file, format, fileProbe, error);
    });
  try {
    await validate(warehouse, table, fileProbe, format, money.currency);
    const counted = await warehouse.all<{ account: string; period: string; rows: string }>(
      `SELECT _billing_account AS account, _billing_period AS period, count(*)::VARCHAR AS rows FROM ${table} GROUP BY ALL ORDER BY ALL`,
    );
    const rows = counted.reduce((s, p) => s + Number(p.rows), 0);
    if (rows === 0) {
      // A header-only export is a valid empty month: nothing to land, but recorded.
      await recordLoad(warehouse, undefined, {
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
      await warehouse.run(`DROP TABLE ${table}`);
      return { ...none, status: "loaded", warning: "header only: an empty export, zero rows loaded" };
    }
    const totals = await totalsIn(warehouse, table, money, "TRUE");
    const pairs = counted.map(({ account, period }) => ({ account, period }));
    return {
      file,
      table,
      format,
      money,
      bytes,
      sha256,
      pairs,
      rows,
      totals,
      ...(warning ? { warning } : {}),
    };
  } catch (error) {
    await warehouse.run(`DROP TABLE IF EXISTS ${table}`);
    throw error;
  }
}

/** Land a group of staged files in one transaction, then write their periods to the lake. */
async function land(
  warehouse: Warehouse,
  group: Staged[],
  lakeDir: string,
  replacedThisRun: Set<string>,
): Promise<FileResult[]> {
  const format = group[0]!.format;
  const rawTable = `raw.${format.rawTable}`;
  const pairs = [
    ...new Map(group.flatMap((s) => s.pairs).map((p) => [`${p.account}|${p.period}`, p])).values(),
  ];
  try {
    const statuses = await warehouse.transaction(async (tx) => {
      for (const staged of group) await ensureRawTable(tx, rawTable, staged.table);
      let replaced = false;
      for (const pair of pairs) {
        const key = `${rawTable}|${pair.account}|${pair.period}`;
        if (replacedThisRun.has(key)) continue;
        const [before] = await tx.all<{ n: string }>(
          `SELECT count(*)::VARCHAR AS n FROM ${rawTable} WHERE _billing_account = $1 AND _billing_period = $2`,
          [pair.account, pair.period],
        );
        if (Number(before!.n) > 0) replaced = true;
        await tx.run(`DELETE FROM ${rawTable} WHERE _billing_account = $1 AND _billing_period = $2`, [
          pair.account,
          pair.period,
        ]);
      }
      const status: "loaded" | "replaced" = replaced ? "replaced" : "loaded";
      for (const staged of group) {
        const loadId = await recordLoad(warehouse, tx, {
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
        await tx.run(`INSERT INTO ${rawTable} BY NAME
          SELECT * EXCLUDE (_row), ${sqlPath(staged.file)} AS _source_file, now() AS _loaded_at, ${loadId}::BIGINT AS _load_id
          FROM ${staged.table}`);
        const landed = await totalsIn(tx, rawTable, staged.money, `_load_id = ${loadId}`);
        if (JSON.stringify(landed) !== JSON.stringify(staged.totals)) {
          throw new InputError(
            staged.file,
            `reconciliation failed: source ${JSON.stringify(staged.totals)} vs landed ${JSON.stringify(landed)}`,
          );
        }
      }
      return status;
    });
    for (const pair of pairs) replacedThisRun.add(`${rawTable}|${pair.account}|${pair.period}`);
    for (const pair of pairs)
      await writeLake(warehouse, lakeDir, format, rawTable, pair.account, pair.period);
    return group.map((s) => ({
      file: s.file,
      format: format.id,
      status: statuses,
      rows: s.rows,
      billingPeriods: [...new Set(s.pairs.map((p) => p.period))],
      totals: s.totals,
      ...(s.warning ? { warning: s.warning } : {}),
    }));
  } finally {
    for (const staged of group) await warehouse.run(`DROP TABLE IF EXISTS ${staged.table}`);
  }
}

async function ensureRawTable(tx: TransactionScope, rawTable: string, stageTable: string): Promise<void> {
  await tx.run(`CREATE TABLE IF NOT EXISTS ${rawTable} AS
    SELECT * EXCLUDE (_row), ''::VARCHAR AS _source_file, now() AS _loaded_at, 0::BIGINT AS _load_id FROM ${stageTable} WHERE false`);
  // Exports gain columns over time (new tags, new CUR fields): add them, never drop.
  const [schema, table] = rawTable.split(".") as [string, string];
  const existing = new Set(
    (
      await tx.all<{ name: string }>(
        "SELECT column_name AS name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2",
        [schema, table],
      )
    ).map((r) => r.name.toLowerCase()),
  );
  for (const col of await tx.all<{ column_name: string; column_type: string }>(`DESCRIBE ${stageTable}`)) {
    if (col.column_name === "_row" || existing.has(col.column_name.toLowerCase())) continue;
    await tx.run(`ALTER TABLE ${rawTable} ADD COLUMN ${ident(col.column_name)} ${col.column_type}`);
  }
}
