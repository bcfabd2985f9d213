/**
 * The audit head anchor: the last entry's seq and hash, kept in audit-head.json next to the
 * warehouse file (<dataDir>/audit-head.json by default). A chain cannot show that its tail was
 * cut off (the shorter chain is still a valid chain); the anchor can. It only ever moves
 * forward, and only over committed entries that extend the entry it names, so it never makes a
 * truncated or rewritten log look intact.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "../../core/files.ts";
import type { TransactionScope, Warehouse } from "../../core/warehouse/warehouse.ts";

export interface AuditHead {
  seq: number;
  hash: string;
}

export const HEAD_FILE = "audit-head.json";

type Reader = Pick<TransactionScope, "all">;

/** The anchor file for this warehouse, or null for an in-memory one (nothing to anchor to). */
export async function headFile(target: Reader): Promise<string | null> {
  const [db] = await target.all<{ path: string | null }>(
    "select path from duckdb_databases() where database_name = current_database()",
  );
  return db?.path ? path.join(path.dirname(db.path), HEAD_FILE) : null;
}

/** The anchor as written, or null when there is none; a damaged anchor is reported, not guessed. */
export function readHead(file: string): AuditHead | null {
  if (!existsSync(file)) return null;
  const text = readFileSync(file, "utf8");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${file}: not JSON`);
  }
  const head = parsed as Partial<AuditHead>;
  if (!Number.isSafeInteger(head.seq) || typeof head.hash !== "string")
    throw new Error(`${file}: expected {"seq": <integer>, "hash": "<sha256>"}`);
  return { seq: head.seq as number, hash: head.hash };
}

/** The last entry of the log as `target` sees it (committed entries, plus its own inside a transaction). */
export async function tableHead(target: Reader): Promise<AuditHead | null> {
  const [row] = await target.all<{ seq: string; hash: string }>(
    "select seq, hash from ops.audit_log order by seq desc limit 1",
  );
  return row ? { seq: Number(row.seq), hash: row.hash } : null;
}

/**
 * Move the anchor to `head` if that is forward and the entry the anchor names is still there
 * with the same hash (otherwise the log was cut or rewritten: keep the evidence for verify).
 */
export async function advanceHead(target: Reader, file: string, head: AuditHead): Promise<boolean> {
  const before = readHead(file);
  if (before && before.seq >= head.seq) return false;
  if (before) {
    const [at] = await target.all<{ hash: string }>("select hash from ops.audit_log where seq = $1", [
      before.seq,
    ]);
    if (at?.hash !== before.hash) return false;
  }
  // Another writer in this process may have moved it while we read the table.
  const now = readHead(file);
  if (now && now.seq >= head.seq) return false;
  writeFileAtomic(
    file,
    `${JSON.stringify({ seq: head.seq, hash: head.hash, updated_at: new Date().toISOString() })}\n`,
  );
  return true;
}

const syncing = new WeakMap<Warehouse, Promise<unknown>>();

/**
 * Anchor the committed head of `warehouse`'s log. appendAudit does this itself, after its own
 * commit or the caller's (TransactionScope.afterCommit). Never throws: the log is already written, and
 * an anchor that lags only weakens the tail check.
 */
export function syncAuditHead(warehouse: Warehouse): Promise<void> {
  const previous = syncing.get(warehouse) ?? Promise.resolve();
  const next = previous.then(async () => {
    try {
      const file = await headFile(warehouse);
      const head = file ? await tableHead(warehouse) : null;
      if (file && head) await advanceHead(warehouse, file, head);
    } catch (error) {
      process.emitWarning(`audit head not updated: ${(error as Error).message}`, "CcoAuditWarning");
    }
  });
  syncing.set(warehouse, next);
  return next;
}
