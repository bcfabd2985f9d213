/**
 * Where each queued row stands, from the append-only decisions: the executor takes exactly
 * dueApprovals(). Four-eyes: an approval counts once per approver (distinct people), only for
 * the row's current version, only until it expires, and only if nobody rejected or deferred
 * that version after it. A reject stands until someone approves again; a defer lapses with its
 * expiry and the row waits again.
 */
import type { Config } from "../../core/config.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";
import { type Decision, parseWarehouseTime, type QueueRow } from "./columns.ts";
import { readQueue } from "./queue.ts";

export type ApprovalState = "waiting" | "approved" | "rejected" | "deferred" | "expired" | "stale";

export interface ApprovalStatus {
  recommendationId: string;
  version: string;
  state: ApprovalState;
  /** Distinct approvers whose approval of the current version counts now. */
  approvals: number;
  required: number;
  approvers: string[];
  /** The latest execute_after the counted approvers asked for; null: at once. */
  executeAfter: Date | null;
  /** When the counted approvals stop being enough (approved), or the first of them lapses. */
  expiresAt: Date | null;
  /** Every counted approval acknowledged the kind's irreversible step. */
  acknowledged: boolean;
  queuedAt: Date;
  row: QueueRow;
}

interface DecisionRow {
  recommendation_id: string;
  version: string;
  decision: Decision;
  approver: string;
  decided_at: string;
  execute_after: string | null;
  expires_at: string | null;
  acknowledge_irreversible: boolean;
}

const time = (text: string | null): Date | null => (text ? (parseWarehouseTime(text) ?? null) : null);

export function statusOf(row: QueueRow, decisions: DecisionRow[], now: Date): ApprovalStatus {
  const required = row.required_approvals ?? 1;
  const current = decisions.filter((d) => d.version === row.version);
  const negatives = current.filter((d) => d.decision !== "approve");
  const lastNegative = negatives.at(-1);
  const since = lastNegative ? time(lastNegative.decided_at)!.getTime() : Number.NEGATIVE_INFINITY;
  const approvesAfter = current.filter(
    (d) => d.decision === "approve" && time(d.decided_at)!.getTime() > since,
  );
  const unexpired = approvesAfter.filter((d) => (time(d.expires_at)?.getTime() ?? Infinity) > now.getTime());
  // One vote per person: their latest approval.
  const byApprover = new Map<string, DecisionRow>();
  for (const d of unexpired) byApprover.set(d.approver, d);
  const counted = [...byApprover.values()];
  const expiries = counted.map((d) => time(d.expires_at)?.getTime() ?? Infinity).sort((a, b) => b - a);
  let state: ApprovalState;
  if (lastNegative && !approvesAfter.length) {
    const lapsed =
      lastNegative.decision === "defer" &&
      (time(lastNegative.expires_at)?.getTime() ?? Infinity) <= now.getTime();
    state = lastNegative.decision === "reject" ? "rejected" : lapsed ? "waiting" : "deferred";
  } else if (counted.length >= required) state = "approved";
  else if (!counted.length && approvesAfter.length) state = "expired";
  else if (!current.length && decisions.some((d) => d.decision === "approve")) state = "stale";
  else state = "waiting";
  const expiresAtMs =
    state === "approved" ? expiries[required - 1] : counted.length ? expiries.at(-1) : undefined;
  const executeAfters = counted.map((d) => time(d.execute_after)).filter((d): d is Date => d !== null);
  return {
    recommendationId: row.recommendation_id,
    version: row.version,
    state,
    approvals: counted.length,
    required,
    approvers: counted.map((d) => d.approver).sort(),
    executeAfter: executeAfters.length ? new Date(Math.max(...executeAfters.map((d) => d.getTime()))) : null,
    expiresAt: expiresAtMs !== undefined && Number.isFinite(expiresAtMs) ? new Date(expiresAtMs) : null,
    acknowledged: counted.length > 0 && counted.every((d) => d.acknowledge_irreversible),
    queuedAt: time(row.queued_at)!,
    row,
  };
}

/** Every queued row's state at `now`, in the queue's order. */
export async function approvalStatus(
  warehouse: Warehouse,
  _config: Pick<Config, "approvals">,
  now: Date = new Date(),
): Promise<ApprovalStatus[]> {
  const queue = await readQueue(warehouse);
  const decisions = await warehouse.all<DecisionRow>(
    `select a.recommendation_id, a.version, a.decision, a.approver, a.decided_at::varchar as decided_at,
       a.execute_after::varchar as execute_after, a.expires_at::varchar as expires_at, a.acknowledge_irreversible
     from ops.approvals a semi join ops.approval_queue q using (recommendation_id)
     where a.decided_at <= $1::timestamptz
     order by a.decided_at, a.approval_id`,
    [now.toISOString()],
  );
  const byId = new Map<string, DecisionRow[]>();
  for (const d of decisions) byId.set(d.recommendation_id, [...(byId.get(d.recommendation_id) ?? []), d]);
  return queue.map((row) => statusOf(row, byId.get(row.recommendation_id) ?? [], now));
}

/** What the executor runs: an approved, due, unexpired row of an automatable kind. */
export interface DueApproval {
  recommendationId: string;
  version: string;
  actionKind: string;
  irreversible: boolean;
  acknowledgedIrreversible: boolean;
  executeAfter: Date | null;
  expiresAt: Date | null;
  approvers: string[];
  row: QueueRow;
}

/**
 * Approved rows whose execute_after has come and whose approvals have not expired. Rows with no
 * action kind (done by hand) and irreversible kinds without the acknowledgement are left out.
 */
export async function dueApprovals(
  warehouse: Warehouse,
  config: Pick<Config, "approvals">,
  now: Date = new Date(),
): Promise<DueApproval[]> {
  return (await approvalStatus(warehouse, config, now))
    .filter(
      (s) =>
        s.state === "approved" &&
        s.row.action_kind !== null &&
        (!s.executeAfter || s.executeAfter.getTime() <= now.getTime()) &&
        (!s.row.irreversible || s.acknowledged),
    )
    .map((s) => ({
      recommendationId: s.recommendationId,
      version: s.version,
      actionKind: s.row.action_kind!,
      irreversible: s.row.irreversible,
      acknowledgedIrreversible: s.acknowledged,
      executeAfter: s.executeAfter,
      expiresAt: s.expiresAt,
      approvers: s.approvers,
      row: s.row,
    }));
}
