/**
 * The ingest ledger: ops.loads (one row per file per attempt) and ops.load_parts (which lake
 * file holds which billing account and period of a raw table, and which load superseded it).
 * Ingest alone writes them, and only through the named operations below (typed Kysely
 * queries); each takes the warehouse's handle or a transaction's (`tx.db`).
 */
import { statSync } from "node:fs";
import { type Kysely, sql } from "kysely";
import type { OpsDatabase } from "../core/warehouse/migrations.ts";
import { checksum } from "./file-integrity.ts";
import type { SourceFormat } from "./format.ts";

type Db = Kysely<OpsDatabase>;
/** Anything holding a typed handle: the Warehouse, or a transaction's scope. */
type HasDb = { db: Db };

export interface LoadRecord {
  /** Taken from ops.loads_seq beforehand when the lake files are named after it. */
  loadId?: string;
  format: SourceFormat;
  file: string;
  bytes: number;
  sha256: string;
  account: string | null;
  period: string | null;
  rows: number;
  totals: Record<string, string>;
  status: "loaded" | "replaced";
  delivery: Delivery;
  /** The file's identity across deliveries (see fileKey). */
  fileKey: string;
}

/** A load restates whole periods, or adds a slice to them (see SourceFormat.delivery). */
export type Delivery = "restatement" | "slice";

/**
 * A file's identity across deliveries: its last four path segments, so that a re-delivered
 * file (same name in the same dated folders) is recognised wherever the export folder was
 * passed from, while daily files of the same name in different day folders stay distinct.
 */
export function fileKey(file: string): string {
  return file.split(/[\\/]/).filter(Boolean).slice(-4).join("/");
}

export interface LoadPart {
  account: string;
  period: string;
  rows: number;
  /** True when the export says the period's invoice is final; null when it cannot tell. */
  final: boolean | null;
  /** The lake file holding these rows. */
  file: string;
}

/** A fresh load id (lake files are named after it before the load is recorded). */
export async function nextLoadId({ db }: HasDb): Promise<string> {
  const { rows } = await sql<{ id: string }>`SELECT nextval('ops.loads_seq')::VARCHAR AS id`.execute(db);
  return rows[0]!.id;
}

/** Record a landed (or empty) file. */
export async function recordLoad({ db }: HasDb, r: LoadRecord): Promise<string> {
  const now = new Date().toISOString();
  const row = await db
    .insertInto("ops.loads")
    .values({
      ...(r.loadId ? { load_id: r.loadId } : {}),
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
      delivery: r.delivery,
      file_key: r.fileKey,
      error: null,
      started_at: now,
      finished_at: now,
    })
    .returning("load_id")
    .executeTakeFirstOrThrow();
  return String(row.load_id);
}

/** Record a file that could not be loaded, with the reason. */
export async function recordFailure({ db }: HasDb, file: string, message: string): Promise<void> {
  const stat = statSync(file, { throwIfNoEntry: false });
  const now = new Date().toISOString();
  await db
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
      started_at: now,
      finished_at: now,
    })
    .execute();
}

/** Record the lake files a load wrote, one per billing account and period. */
export async function recordLoadParts(
  { db }: HasDb,
  loadId: string,
  rawTable: string,
  parts: LoadPart[],
): Promise<void> {
  if (!parts.length) return;
  await db
    .insertInto("ops.load_parts")
    .values(
      parts.map((p) => ({
        load_id: loadId,
        raw_table: rawTable,
        billing_account: p.account,
        billing_period: p.period,
        lake_file: p.file,
        rows: p.rows,
        superseded_by: null,
        is_final: p.final,
      })),
    )
    .execute();
}

/** Mark a raw table's current parts for one account and period as restated by `byLoad`; how many were. */
export async function supersedePeriod(
  { db }: HasDb,
  rawTable: string,
  account: string,
  period: string,
  byLoad: string,
): Promise<number> {
  const result = await db
    .updateTable("ops.load_parts")
    .set({ superseded_by: byLoad })
    .where("raw_table", "=", rawTable)
    .where("billing_account", "=", account)
    .where("billing_period", "=", period)
    .where("superseded_by", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows ?? 0);
}

/**
 * Mark the current parts of earlier deliveries of the same file (same key) as restated by
 * `byLoad`: a slice re-delivered replaces only itself. How many parts were.
 */
export async function supersedeFile(
  { db }: HasDb,
  rawTable: string,
  key: string,
  byLoad: string,
): Promise<number> {
  const result = await db
    .updateTable("ops.load_parts")
    .set({ superseded_by: byLoad })
    .where("raw_table", "=", rawTable)
    .where("superseded_by", "is", null)
    .where("load_id", "in", (q) =>
      q
        .selectFrom("ops.loads")
        .select("load_id")
        .where("file_key", "=", key)
        .where("raw_table", "=", rawTable),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows ?? 0);
}

/** True when a file with these bytes is already current in the raw table. */
export async function isCurrent({ db }: HasDb, sha256: string, rawTable: string): Promise<boolean> {
  const row = await db
    .selectFrom("ops.loads as l")
    .innerJoin("ops.load_parts as p", "p.load_id", "l.load_id")
    .select(sql<number>`1`.as("one"))
    .where("l.file_sha256", "=", sha256)
    .where("l.raw_table", "=", rawTable)
    .where("p.superseded_by", "is", null)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** The lake files behind a raw table now, in load order. */
export async function currentLakeFiles({ db }: HasDb, rawTable: string): Promise<string[]> {
  const rows = await db
    .selectFrom("ops.load_parts")
    .select("lake_file")
    .where("raw_table", "=", rawTable)
    .where("superseded_by", "is", null)
    .orderBy("load_id")
    .orderBy("billing_account")
    .orderBy("billing_period")
    .execute();
  return rows.map((r) => r.lake_file);
}

/** Every lake file some current load refers to (the rest is garbage). */
export async function liveLakeFiles({ db }: HasDb): Promise<Set<string>> {
  const rows = await db
    .selectFrom("ops.load_parts")
    .select("lake_file")
    .where("superseded_by", "is", null)
    .execute();
  return new Set(rows.map((r) => r.lake_file));
}
