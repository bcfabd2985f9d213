/**
 * The audit log: append-only and hash-chained. Each entry's hash covers the previous entry's
 * hash and its own content, so an edited, deleted or reordered entry breaks the chain from that
 * point on, and a missing sequence number is a gap; the head anchor (head.ts) shows a cut tail.
 * Details pass through redact() first: a secret never reaches the log.
 */
import { createHash } from "node:crypto";
import { faultPoint } from "../../core/faults.ts";
import type { TransactionScope, Warehouse } from "../../core/warehouse/warehouse.ts";
import { lit, valuesBatches } from "../../core/sql.ts";
import { syncAuditHead, tableHead } from "./head.ts";
import { redact, redactText } from "./redact.ts";

export interface AuditEntry {
  /** A user, or cco:<component> (cco:executor, cco:approvals, …). */
  actor: string;
  /** approval.decided, action.state, provider.call, notification.sent, … */
  event: string;
  /** The recommendation, action or run the entry is about. */
  subject?: string | null;
  detail?: Record<string, unknown>;
}

export function entryHash(
  prevHash: string,
  seq: number,
  loggedAt: string,
  e: { actor: string; event: string; subject: string | null; detail: string },
): string {
  return createHash("sha256")
    .update([prevHash, seq, loggedAt, e.actor, e.event, e.subject ?? "", e.detail].join("\u001f"))
    .digest("hex");
}

/** Transactions that already appended: the head they see includes their own, uncommitted entries. */
const appendedIn = new WeakSet<TransactionScope>();

/** Append entries in order, inside the caller's transaction when given one (then they land with its work). */
export async function appendAudit(
  target: Warehouse | TransactionScope,
  ...entries: AuditEntry[]
): Promise<void> {
  await appendAuditEntries(target, entries);
}

/** appendAudit for a list of any length (a spread of a very long list overflows the stack). */
export async function appendAuditEntries(
  target: Warehouse | TransactionScope,
  entries: readonly AuditEntry[],
): Promise<void> {
  if (!entries.length) return;
  const write = async (tx: TransactionScope, ownTransaction: boolean) => {
    const last = await tableHead(tx);
    // Inside a caller's transaction: anchor the head once it commits.
    if (!ownTransaction && !appendedIn.has(tx)) tx.afterCommit((warehouse) => syncAuditHead(warehouse));
    appendedIn.add(tx);
    let seq = last?.seq ?? 0;
    let prev = last?.hash ?? "";
    const values: string[] = [];
    for (const entry of entries) {
      seq += 1;
      // Milliseconds, as verify reads them back (epoch_ms): the hash must survive the round trip.
      const loggedAt = new Date().toISOString();
      const row = {
        actor: redactText(entry.actor),
        event: entry.event,
        subject: entry.subject == null ? null : redactText(entry.subject),
        detail: JSON.stringify(redact(entry.detail ?? {})),
      };
      const hash = entryHash(prev, seq, loggedAt, row);
      values.push(
        `(${seq}, ${lit(loggedAt)}::timestamptz, ${lit(row.actor)}, ${lit(row.event)}, ${lit(row.subject)}, ${lit(row.detail)}::json, ${lit(prev)}, ${lit(hash)})`,
      );
      prev = hash;
    }
    for (const batch of valuesBatches(values)) {
      await tx.run(`insert into ops.audit_log values ${batch}`);
      faultPoint("audit.inserted");
    }
  };
  if ("transaction" in target) {
    await target.transaction((tx) => write(tx, true));
    // A crash here leaves the anchor one append behind: verify still passes, the next append catches up.
    faultPoint("audit.committed");
    await syncAuditHead(target);
  } else await write(target, false);
}
