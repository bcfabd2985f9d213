/**
 * Escalation: a request that has waited longer than approvals.escalate_after_days for a decision
 * (waiting, stale or expired) queues one `escalation` notification per recommendation and
 * version. The audit log remembers it was sent (approval.escalated), so it is sent once even
 * when no channel is configured yet, and the record is tamper-evident.
 */
import type { Config } from "../../core/config.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";
import { appendAudit } from "../audit/log.ts";
import { enqueueNotification } from "../notify/outbox.ts";
import { noticeFields } from "./queue.ts";
import { approvalStatus } from "./status.ts";

const NEEDS_DECISION = new Set(["waiting", "stale", "expired"]);

/** Queue the escalations due at `now`; returns the recommendations escalated. */
export async function escalateWaiting(
  warehouse: Warehouse,
  config: Pick<Config, "approvals" | "notifications">,
  now: Date = new Date(),
): Promise<string[]> {
  const limitMs = config.approvals.escalate_after_days * 86_400_000;
  const sent = new Set(
    (
      await warehouse.all<{ key: string }>(
        "select subject || '|' || (detail ->> 'version') as key from ops.audit_log where event = 'approval.escalated'",
      )
    ).map((r) => r.key),
  );
  const due = (await approvalStatus(warehouse, config, now)).filter(
    (s) =>
      NEEDS_DECISION.has(s.state) &&
      now.getTime() - s.queuedAt.getTime() > limitMs &&
      !sent.has(`${s.recommendationId}|${s.version}`),
  );
  for (const s of due) {
    const days = Math.floor((now.getTime() - s.queuedAt.getTime()) / 86_400_000);
    await warehouse.transaction(async (tx) => {
      await appendAudit(tx, {
        actor: "cco:approvals",
        event: "approval.escalated",
        subject: s.recommendationId,
        detail: {
          version: s.version,
          state: s.state,
          waiting_days: days,
          approvals: s.approvals,
          required: s.required,
        },
      });
      await enqueueNotification(tx, config, {
        event: "escalation",
        subject: s.recommendationId,
        title: `Waiting ${days} days for approval (${s.approvals} of ${s.required}): ${s.row.action} ${s.row.resource_id ?? ""}`,
        fields: { ...noticeFields(s.row), state: s.state, waiting_days: days, approvals: s.approvals },
      });
    });
  }
  return due.map((s) => s.recommendationId);
}
