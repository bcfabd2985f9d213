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
import { createReadStream, mkdirSync, statSync } from "node:fs";
import path from "node:path";
import type { DuckDBValue } from "@duckdb/node-api";
import type { CompiledQuery } from "kysely";
import { CcoError, InputError, UsageError } from "../core/errors.ts";
import type { Progress } from "../core/log.ts";
import type { TransactionScope, Warehouse } from "../core/warehouse/warehouse.ts";
import { type FileProbe, ident, type SourceFormat, sqlPath } from "./format.ts";
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
  await progress.step(`Ingesting ${files.length} files`, async (tick) => {
    for (const [i, file] of files.entries()) {
      try {
        results.push(await ingestFile(warehouse, file, forced, options, replacedThisRun));
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
  });
  return results;
}

async function ingestFile(
  warehouse: Warehouse,
  file: string,
  forced: SourceFormat | undefined,
  options: IngestOptions,
  replacedThisRun: Set<string>,
): Promise<FileResult> {
  const fileProbe = await probe(file, warehouse);
  const format = forced ?? FORMATS.find((f) => f.detect(fileProbe));
  if (!format) {
    throw new InputError(
      file,
      `not a recognised export: columns ${fileProbe.columns.slice(0, 6).join(", ")}… match no format (see cco ingest --help)`,
    );
  }
  checkRequired(fileProbe, format);
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
    SELECT *, row_number() OVER () AS _row, ${format.billingAccount}::VARCHAR AS _billing_account,
      ${format.billingPeriod}::VARCHAR AS _billing_period
    FROM (${format.read(fileProbe)})`)
    .catch((error) => {
      throw new InputError(file, `cannot be read as ${format.id}: ${firstLine(error)}`);
    });
  try {
    await validate(warehouse, file, format);
    const sourceTotals = await totalsIn(warehouse, "_stage", format, "TRUE");
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
      return { file, format: format.id, status: "loaded", rows: 0, billingPeriods: [], totals: {} };
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
      const landed = await totalsIn(tx, rawTable, format, `_load_id = ${loadId}`);
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
    };
  } finally {
    await warehouse.run("DROP TABLE IF EXISTS _stage");
  }
}

function checkRequired(fileProbe: FileProbe, format: SourceFormat): void {
  const have = new Set(fileProbe.columns.map((c) => c.toLowerCase()));
  const missing = format.requiredColumns.filter((c) => !have.has(c.toLowerCase()));
  if (missing.length) {
    throw new InputError(
      fileProbe.path,
      `missing required column${missing.length > 1 ? "s" : ""} for ${format.id}: ${missing.join(", ")}`,
      {
        row: 1,
        column: missing[0],
      },
    );
  }
}

/** Every numeric column must parse (scientific notation and quoted numbers do); the first bad cell is named. */
async function validate(warehouse: Warehouse, file: string, format: SourceFormat): Promise<void> {
  const columns = new Set(
    (await warehouse.all<{ column_name: string }>("DESCRIBE _stage")).map((r) => r.column_name.toLowerCase()),
  );
  const headerRows = file.match(/\.(csv|csv\.gz)$/i) ? 1 : 0;
  for (const column of format.numericColumns) {
    if (!columns.has(column.toLowerCase())) continue;
    const bad = await warehouse.all<{ row: string; value: string }>(
      `SELECT _row::VARCHAR AS row, ${ident(column)}::VARCHAR AS value FROM _stage
       WHERE ${ident(column)} IS NOT NULL AND TRY_CAST(${ident(column)}::VARCHAR AS DECIMAL(38,10)) IS NULL ORDER BY _row LIMIT 1`,
    );
    if (bad.length) {
      throw new InputError(file, `expected a number, found "${bad[0]!.value}"`, {
        row: Number(bad[0]!.row) + headerRows,
        column,
      });
    }
  }
  const noPeriod = await warehouse.all<{ row: string }>(
    "SELECT _row::VARCHAR AS row FROM _stage WHERE _billing_period IS NULL ORDER BY _row LIMIT 1",
  );
  if (noPeriod.length) {
    throw new InputError(file, "billing period is missing or unparsable", {
      row: Number(noPeriod[0]!.row) + headerRows,
    });
  }
}

/** Cost per currency, exact; runs on the warehouse or inside a load's transaction. */
async function totalsIn(
  tx: Pick<TransactionScope, "all">,
  table: string,
  format: SourceFormat,
  where: string,
): Promise<Record<string, string>> {
  if (!format.cost || !format.currency) return {};
  const rows = await tx.all<{ currency: string; total: string }>(
    `SELECT coalesce(${format.currency}, '') AS currency,
       sum(CAST(${format.cost}::VARCHAR AS DECIMAL(38,10)))::VARCHAR AS total
     FROM ${table} WHERE ${where} GROUP BY 1 ORDER BY 1`,
  );
  return Object.fromEntries(rows.map((r) => [r.currency, r.total ?? "0"]));
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

async function checksum(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest("hex"), bytes };
}
