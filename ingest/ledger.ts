/** ops.loads, the ingest ledger: one row per file per attempt, written through Kysely. */
import { createHash } from "node:crypto";
import { createReadStream, statSync } from "node:fs";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import type { DuckDBValue } from "@duckdb/node-api";
import type { CompiledQuery } from "kysely";
import { InputError } from "../core/errors.ts";
import type { TransactionScope, Warehouse } from "../core/warehouse/warehouse.ts";
import type { SourceFormat } from "./format.ts";

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
}

/** Insert the ledger row through Kysely (typed), inside the load's transaction when there is one. */
export async function recordLoad(
  warehouse: Warehouse,
  tx: TransactionScope | undefined,
  r: LoadRecord,
): Promise<string> {
  const query = warehouse.db
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

export async function recordFailure(warehouse: Warehouse, file: string, message: string): Promise<void> {
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

/** sha256 and size of the file, in one streaming pass. */
export async function checksum(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest("hex"), bytes };
}

/**
 * Decompress a gzip file to nowhere, to prove it complete: DuckDB reads a
 * truncated gzip up to where it breaks off without saying so. zlib works on
 * libuv's thread pool, so this runs beside DuckDB's read of the same file.
 */
export async function verifyGzip(file: string): Promise<void> {
  const sink = new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });
  await pipeline(
    createReadStream(file, { highWaterMark: 1 << 20 }),
    createGunzip({ chunkSize: 1 << 20 }),
    sink,
  ).catch((error: Error) => {
    throw new InputError(file, `is not a complete gzip file (truncated or corrupt): ${error.message}`);
  });
}
