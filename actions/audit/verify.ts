/**
 * `cco audit verify`: recompute the hash chain from the first entry and compare the head with
 * its anchor file. Reports the first broken entry: an edit (the entry no longer matches its
 * hash), a deletion (a gap in seq), a reordering (an entry hashed for another position), a
 * rewrite (an entry replaced with a fresh hash, seen from the next entry's link), a cut tail
 * (the anchor names an entry past the end) or a rewritten tail (the anchored hash differs).
 */
import type { Warehouse } from "../../core/warehouse/warehouse.ts";
import { type AuditHead, headFile, readHead } from "./head.ts";
import { entryHash } from "./log.ts";

export type AuditProblemReason = "gap" | "edited" | "reordered" | "rewritten" | "truncated" | "anchor";

export interface AuditProblem {
  /** The first entry found broken (for a cut tail: the first missing one). */
  seq: number;
  reason: AuditProblemReason;
  message: string;
}

export interface AuditVerification {
  intact: boolean;
  entries: number;
  head: AuditHead | null;
  anchor: AuditHead | null;
  anchorFile: string | null;
  problem: AuditProblem | null;
  warnings: string[];
}

interface StoredEntry {
  seq: string;
  ms: string;
  actor: string;
  event: string;
  subject: string | null;
  detail: string;
  prev_hash: string;
  hash: string;
}

const PAGE = 5000;

export async function verifyAudit(warehouse: Warehouse): Promise<AuditVerification> {
  const anchorFile = await headFile(warehouse);
  const warnings: string[] = [];
  let anchor: AuditHead | null = null;
  let anchorUnreadable: string | null = null;
  try {
    anchor = anchorFile ? readHead(anchorFile) : null;
  } catch (error) {
    anchorUnreadable = (error as Error).message;
  }

  let expected = 1;
  let prev = "";
  let entries = 0;
  let head: AuditHead | null = null;
  let anchoredHash: string | undefined;
  let problem: AuditProblem | null = null;
  scan: for (;;) {
    const rows = await warehouse.all<StoredEntry>(
      `select seq, epoch_ms(logged_at) as ms, actor, event, subject, detail::varchar as detail, prev_hash, hash
       from ops.audit_log where seq >= $1 order by seq limit ${PAGE}`,
      [expected],
    );
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq !== expected) {
        problem = {
          seq: expected,
          reason: "gap",
          message: `entry ${expected} is missing (the next entry is ${seq}): deleted`,
        };
        break scan;
      }
      if (hashOf(row, seq) !== row.hash) {
        const writtenAs = await positionWrittenFor(warehouse, row);
        problem =
          writtenAs !== null
            ? {
                seq,
                reason: "reordered",
                message: `entry ${seq} holds the entry written as seq ${writtenAs}: entries were moved or renumbered`,
              }
            : { seq, reason: "edited", message: `entry ${seq} does not match its hash: edited` };
        break scan;
      }
      if (row.prev_hash !== prev) {
        // This entry is intact, so the one before it was replaced by an entry with a fresh hash.
        problem = {
          seq: seq - 1,
          reason: "rewritten",
          message: `entry ${seq - 1} is not the entry ${seq} was chained to: rewritten`,
        };
        break scan;
      }
      if (anchor && seq === anchor.seq) anchoredHash = row.hash;
      prev = row.hash;
      head = { seq, hash: row.hash };
      entries += 1;
      expected += 1;
    }
    if (rows.length < PAGE) break;
  }

  if (!problem && anchorUnreadable) {
    problem = {
      seq: (head?.seq ?? 0) + 1,
      reason: "anchor",
      message: `the head anchor is damaged: ${anchorUnreadable}`,
    };
  } else if (!problem && anchor) {
    const end = head?.seq ?? 0;
    if (anchor.seq > end) {
      problem = {
        seq: end + 1,
        reason: "truncated",
        message: `entries ${end + 1}..${anchor.seq} are missing: the log ends at ${end} but ${anchorFile} records ${anchor.seq}`,
      };
    } else if (anchoredHash !== anchor.hash) {
      problem = {
        seq: anchor.seq,
        reason: "rewritten",
        message: `entry ${anchor.seq} is not the entry ${anchorFile} records: the tail was rewritten`,
      };
    }
  } else if (!problem && head && anchorFile) {
    warnings.push(`no head anchor (${anchorFile}): a cut tail cannot be detected`);
  }
  return { intact: !problem, entries, head, anchor, anchorFile, problem, warnings };
}

function hashOf(row: StoredEntry, seq: number): string {
  return entryHash(row.prev_hash, seq, new Date(Number(row.ms)).toISOString(), row);
}

/**
 * The seq an entry was hashed for, when that is not where it sits. Its predecessor's position
 * usually tells; when that moved too (a swap), try every position, once, for the first problem.
 */
async function positionWrittenFor(warehouse: Warehouse, row: StoredEntry): Promise<number | null> {
  const here = Number(row.seq);
  const [before] = await warehouse.all<{ seq: string }>(
    "select seq from ops.audit_log where hash = $1 limit 1",
    [row.prev_hash],
  );
  const guess = row.prev_hash === "" ? 1 : before ? Number(before.seq) + 1 : null;
  if (guess !== null && guess !== here && hashOf(row, guess) === row.hash) return guess;
  const [last] = await warehouse.all<{ seq: string }>("select max(seq) as seq from ops.audit_log");
  const end = Number(last?.seq ?? 0) + 1;
  for (let k = 1; k <= end; k++) if (k !== here && hashOf(row, k) === row.hash) return k;
  return null;
}
