/**
 * The loader: detect, validate, land in `raw` in one transaction per file,
 * reconcile cost per currency to the cent, record the load in ops.loads, and
 * write the landed billing periods to the lake as zstd Parquet.
 *
 * Idempotent: a file whose bytes were already loaded is skipped. A restated
 * export (same format, billing account and period, new bytes) replaces that
 * period as a whole; the ledger keeps every earlier load.
 */
import { createHash } from "node:crypto";
import { createReadStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import { createGunzip } from "node:zlib";
import path from "node:path";
import type { DuckDBValue } from "@duckdb/node-api";
import type { CompiledQuery } from "kysely";
import { CcoError, InputError, UsageError } from "../core/errors.ts";
import type { Progress } from "../core/log.ts";
import type { TransactionScope, Warehouse } from "../core/warehouse/warehouse.ts";
import { type FileProbe, hasColumns, ident, type SourceFormat, sqlPath } from "./format.ts";
import { FORMATS } from "./formats.ts";
import { firstLine, probe, walk } from "./probe.ts";

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
  // Periods replaced in this run: later parts of the same month add to it, not replace it.
  const replacedThisRun = new Set<string>();
  const scratchDir = mkdtempSync(path.join(os.tmpdir(), "cco-ingest-"));
  await progress
    .step(`Ingesting ${files.length} files`, async (tick) => {
      for (const [i, file] of files.entries()) {
        try {
          const result = await ingestFile(warehouse, file, forced, options, replacedThisRun, scratchDir);
          if (result.warning) progress.warn(`${file}: ${result.warning}`);
          results.push(result);
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
    })
    .finally(() => rmSync(scratchDir, { recursive: true, force: true }));
  return results;
}

async function ingestFile(
  warehouse: Warehouse,
  file: string,
  forced: SourceFormat | undefined,
  options: IngestOptions,
  replacedThisRun: Set<string>,
  scratchDir: string,
): Promise<FileResult> {
  const fileProbe = await probe(file, warehouse, scratchDir);
  const format = forced ?? FORMATS.find((f) => f.detect(fileProbe));
  if (!format) {
    throw new InputError(
      file,
      `not a recognised export: columns ${fileProbe.columns.slice(0, 6).join(", ")}… match no format (see cco ingest --help)`,
    );
  }
  checkRequired(fileProbe, format);
  const headerWarning = format.headerWarning?.(fileProbe);
  const money = { cost: format.cost(fileProbe), currency: format.currency(fileProbe) };
  const { sha256, bytes } = await checksum(file);
  const rawTable = `raw.${format.rawTable}`;

  if (await warehouse.tableExists("raw", format.rawTable)) {
    const already = await warehouse.all(
      `SELECT 1 FROM ${rawTable} WHERE _load_id IN (SELECT load_id FROM ops.loads WHERE file_sha256 = $1 AND raw_table = $2) LIMIT 1`,
      [sha256, rawTable],
    );
    if (already.length)
      return { file, format: format.id, status: "skipped", rows: 0, billingPeriods: [], totals: {} };
  }

  await warehouse
    .run(`CREATE OR REPLACE TEMP TABLE _stage AS
    SELECT *, row_number() OVER () AS _row, coalesce(${format.billingAccount(fileProbe)}::VARCHAR, '') AS _billing_account,
      ${format.billingPeriod(fileProbe)}::VARCHAR AS _billing_period
    FROM (${format.read(fileProbe)})`)
    .catch((error) => {
      throw readError(file, format, fileProbe, error);
    });
  try {
    await validate(warehouse, fileProbe, format, money.currency);
    const sourceTotals = await totalsIn(warehouse, "_stage", money, "TRUE");
    const pairs = await warehouse.all<{ account: string; period: string; rows: string }>(
      "SELECT _billing_account AS account, _billing_period AS period, count(*)::VARCHAR AS rows FROM _stage GROUP BY ALL ORDER BY ALL",
    );
    const rows = pairs.reduce((s, p) => s + Number(p.rows), 0);
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
      return {
        file,
        format: format.id,
        status: "loaded",
        rows: 0,
        billingPeriods: [],
        totals: {},
        warning: "header only: an empty export, zero rows loaded",
      };
    }
    const status = await warehouse.transaction(async (tx) => {
      await ensureRawTable(tx, rawTable);
      let replaced = false;
      for (const pair of pairs) {
        const key = `${rawTable}|${pair.account}|${pair.period}`;
        if (replacedThisRun.has(key)) continue;
        const before = await tx.all<{ n: string }>(
          `SELECT count(*)::VARCHAR AS n FROM ${rawTable} WHERE _billing_account = $1 AND _billing_period = $2`,
          [pair.account, pair.period],
        );
        if (Number(before[0]!.n) > 0) replaced = true;
        await tx.run(`DELETE FROM ${rawTable} WHERE _billing_account = $1 AND _billing_period = $2`, [
          pair.account,
          pair.period,
        ]);
        replacedThisRun.add(key);
      }
      const status = replaced ? "replaced" : "loaded";
      const loadId = await recordLoad(warehouse, tx, {
        format,
        file,
        bytes,
        sha256,
        account: pairs[0]!.account,
        period: pairs
          .map((p) => p.period)
          .filter((p, i, a) => a.indexOf(p) === i)
          .join(","),
        rows,
        totals: sourceTotals,
        status,
      });
      await tx.run(`INSERT INTO ${rawTable} BY NAME
        SELECT * EXCLUDE (_row), ${sqlPath(file)} AS _source_file, now() AS _loaded_at, ${loadId}::BIGINT AS _load_id FROM _stage`);
      const landed = await totalsIn(tx, rawTable, money, `_load_id = ${loadId}`);
      if (JSON.stringify(landed) !== JSON.stringify(sourceTotals)) {
        throw new InputError(
          file,
          `reconciliation failed: source ${JSON.stringify(sourceTotals)} vs landed ${JSON.stringify(landed)}`,
        );
      }
      return status;
    });
    for (const pair of pairs)
      await writeLake(warehouse, options.lakeDir, format, rawTable, pair.account, pair.period);
    return {
      file,
      format: format.id,
      status,
      rows,
      billingPeriods: pairs.map((p) => p.period),
      totals: sourceTotals,
      ...(headerWarning ? { warning: headerWarning } : {}),
    };
  } finally {
    await warehouse.run("DROP TABLE IF EXISTS _stage");
  }
}

function checkRequired(fileProbe: FileProbe, format: SourceFormat): void {
  const missing = format.requiredColumns.filter((group) => !hasColumns(fileProbe, [group]));
  if (missing.length) {
    const names = missing.map((group) => (Array.isArray(group) ? `one of ${group.join(" / ")}` : group));
    throw new InputError(
      fileProbe.path,
      `missing required column${missing.length > 1 ? "s" : ""} for ${format.id}: ${names.join(", ")}`,
      { row: 1, column: [missing[0]!].flat()[0] },
    );
  }
}

/** DuckDB's reader errors, said in the file's terms (line, fields, what was expected). */
function readError(file: string, format: SourceFormat, fileProbe: FileProbe, error: unknown): InputError {
  const message = error instanceof Error ? error.message : String(error);
  const fields = message.match(
    /CSV Error on Line: (\d+)[\s\S]*Expected Number of Columns: (\d+) Found: (\d+)/,
  );
  if (fields) {
    return new InputError(file, `has ${fields[3]} fields where the header has ${fields[2]} columns`, {
      row: Number(fields[1]),
    });
  }
  if (/gzip|inflate|zlib|compressed/i.test(message) && fileProbe.compressed) {
    return new InputError(file, `is not a complete gzip file (truncated or corrupt): ${firstLine(error)}`);
  }
  return new InputError(file, `cannot be read as ${format.id}: ${firstLine(error)}`);
}

const CURRENCIES = new Set(
  readFileSync(new URL("./reference/currency_codes.csv", import.meta.url), "utf8")
    .split(/\r?\n/)
    .slice(1)
    .map((line) => line.split(",")[1]?.trim())
    .filter(Boolean),
);

/**
 * Every numeric column must parse (scientific notation and quoted numbers do),
 * every currency must be an ISO 4217 code, every row must have a billing period;
 * the first bad cell is named by row and column.
 */
async function validate(
  warehouse: Warehouse,
  fileProbe: FileProbe,
  format: SourceFormat,
  currency: string | null,
): Promise<void> {
  const file = fileProbe.path;
  const headerRows = fileProbe.kind === "csv" ? 1 : 0;
  // Columns the file already types as numbers (Parquet) need no parsing check.
  const staged = (await warehouse.all<{ column_name: string; column_type: string }>("DESCRIBE _stage"))
    .filter(
      (r) =>
        !/^(DOUBLE|FLOAT|DECIMAL|BIGINT|INTEGER|HUGEINT|SMALLINT|TINYINT|UBIGINT|UINTEGER)/.test(
          r.column_type,
        ),
    )
    .map((r) => r.column_name);
  const firstBad = async (where: string, value: string) =>
    (
      await warehouse.all<{ row: string; value: string }>(
        `SELECT _row::VARCHAR AS row, (${value})::VARCHAR AS value FROM _stage WHERE ${where} ORDER BY _row LIMIT 1`,
      )
    )[0];
  for (const candidate of format.numericColumns) {
    const column = staged.find((c) => c.toLowerCase() === candidate.toLowerCase());
    if (!column) continue;
    const bad = await firstBad(
      `${ident(column)} IS NOT NULL AND TRY_CAST(trim(${ident(column)}::VARCHAR) AS DECIMAL(38,10)) IS NULL`,
      ident(column),
    );
    if (bad) {
      throw new InputError(file, `expected a number, found "${bad.value}"`, {
        row: Number(bad.row) + headerRows,
        column,
      });
    }
  }
  if (currency) {
    const codes = [...CURRENCIES].map((c) => `'${c}'`).join(", ");
    const bad = await firstBad(
      `${currency} IS NOT NULL AND ${currency} <> '' AND ${currency} NOT IN (${codes})`,
      currency,
    );
    if (bad) {
      throw new InputError(file, `unknown currency code "${bad.value}" (expected ISO 4217, e.g. USD)`, {
        row: Number(bad.row) + headerRows,
        column: currency.replace(/^coalesce\(|, ''\)$/g, "").replaceAll('"', ""),
      });
    }
  }
  const noPeriod = await firstBad("_billing_period IS NULL", "NULL");
  if (noPeriod) {
    throw new InputError(file, "billing period is missing or unparsable", {
      row: Number(noPeriod.row) + headerRows,
    });
  }
}

interface MoneyColumns {
  cost: string | null;
  currency: string | null;
}

/** Cost per currency, exact; runs on the warehouse or inside a load's transaction. */
async function totalsIn(
  tx: Pick<TransactionScope, "all">,
  table: string,
  money: MoneyColumns,
  where: string,
): Promise<Record<string, string>> {
  if (!money.cost || !money.currency) return {};
  const rows = await tx.all<{ currency: string; total: string }>(
    `SELECT coalesce(${money.currency}, '') AS currency,
       coalesce(sum(CAST(trim(${money.cost}::VARCHAR) AS DECIMAL(38,10))), 0)::VARCHAR AS total
     FROM ${table} WHERE ${where} GROUP BY 1 ORDER BY 1`,
  );
  return Object.fromEntries(rows.map((r) => [r.currency, r.total]));
}

async function ensureRawTable(tx: TransactionScope, rawTable: string): Promise<void> {
  await tx.run(`CREATE TABLE IF NOT EXISTS ${rawTable} AS
    SELECT * EXCLUDE (_row), ''::VARCHAR AS _source_file, now() AS _loaded_at, 0::BIGINT AS _load_id FROM _stage WHERE false`);
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
  const staged = await tx.all<{ column_name: string; column_type: string }>("DESCRIBE _stage");
  for (const col of staged) {
    if (col.column_name === "_row" || existing.has(col.column_name.toLowerCase())) continue;
    await tx.run(`ALTER TABLE ${rawTable} ADD COLUMN ${ident(col.column_name)} ${col.column_type}`);
  }
}

interface LoadRecord {
  format: SourceFormat;
  file: string;
  bytes: number;
  sha256: string;
  account: string | null;
  period: string | null;
  rows: number;
  totals: Record<string, string>;
  status: "loaded" | "replaced";
}

/** Insert the ledger row through Kysely (typed), inside the load's transaction when there is one. */
async function recordLoad(
  warehouse: Warehouse,
  tx: TransactionScope | undefined,
  r: LoadRecord,
): Promise<string> {
  const query = warehouse.db
    .insertInto("ops.loads")
    .values({
      source: r.format.id,
      raw_table: `raw.${r.format.rawTable}`,
      billing_account: r.account,
      billing_period: r.period,
      file_path: r.file,
      file_bytes: r.bytes,
      file_sha256: r.sha256,
      rows: r.rows,
      cost_totals: JSON.stringify(r.totals),
      status: r.status,
      error: null,
      started_at: new Date().toISOString(),
      finished_at: new Date().toISOString(),
    })
    .returning("load_id");
  if (tx) {
    const compiled: CompiledQuery = query.compile();
    const rows = await tx.all<{ load_id: string }>(compiled.sql, compiled.parameters as DuckDBValue[]);
    return String(rows[0]!.load_id);
  }
  const row = await query.executeTakeFirstOrThrow();
  return String(row.load_id);
}

async function recordFailure(warehouse: Warehouse, file: string, message: string): Promise<void> {
  const stat = statSync(file, { throwIfNoEntry: false });
  await warehouse.db
    .insertInto("ops.loads")
    .values({
      source: "unknown",
      raw_table: "",
      billing_account: null,
      billing_period: null,
      file_path: file,
      file_bytes: stat?.size ?? 0,
      file_sha256: stat?.isFile() ? (await checksum(file)).sha256 : "",
      rows: 0,
      cost_totals: null,
      status: "failed",
      error: message,
      started_at: new Date().toISOString(),
      finished_at: new Date().toISOString(),
    })
    .execute();
}

async function writeLake(
  warehouse: Warehouse,
  lakeDir: string,
  format: SourceFormat,
  rawTable: string,
  account: string,
  period: string,
): Promise<void> {
  const dir = path.join(lakeDir, format.id, `billing_period=${period}`);
  mkdirSync(dir, { recursive: true });
  const slug = createHash("sha256").update(account).digest("hex").slice(0, 16);
  await warehouse.run(
    `COPY (SELECT * FROM ${rawTable} WHERE _billing_account = $1 AND _billing_period = $2) TO ${sqlPath(path.join(dir, `${slug}.parquet`))} (FORMAT parquet, COMPRESSION zstd)`,
    [account, period],
  );
}

/**
 * sha256 and size of the file in one pass; a gzip file is also decompressed in
 * that pass, because DuckDB reads a truncated gzip up to where it breaks off
 * without saying so.
 */
async function checksum(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash("sha256");
  let bytes = 0;
  const gunzip = /\.gz$/i.test(file) ? createGunzip() : undefined;
  const drained = gunzip
    ? new Promise<void>((resolve, reject) => {
        gunzip
          .on("data", () => undefined)
          .on("end", resolve)
          .on("error", reject);
      })
    : Promise.resolve();
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
    if (gunzip && !gunzip.write(chunk)) {
      // A corrupt stream errors instead of draining: stop reading then.
      await Promise.race([
        new Promise((resolve) => gunzip.once("drain", resolve)),
        drained.catch(() => undefined),
      ]);
      if (gunzip.destroyed) break;
    }
  }
  gunzip?.end();
  await drained.catch((error: Error) => {
    throw new InputError(file, `is not a complete gzip file (truncated or corrupt): ${error.message}`);
  });
  return { sha256: hash.digest("hex"), bytes };
}
