/**
 * ops.approval_queue: one row per open recommendation, rebuilt from marts.recommendations. Its
 * `version` is an etag over what an approver decides on (resource, action, current -> target,
 * savings, risk level): when the recommendation changes, the version does, and approvals given
 * to the old version stop counting. A row keeps its queued_at while its version is unchanged, so
 * escalation measures how long that exact request has waited.
 */
import type { Config } from "../../core/config.ts";
import { lit } from "../../core/sql.ts";
import type { TransactionScope, Warehouse } from "../../core/warehouse/warehouse.ts";
import { appendAuditEntries } from "../audit/log.ts";
import { KIND_FOR_DETECTOR } from "../kinds/catalogue.ts";
import { KINDS } from "../kinds/index.ts";
import { PROVIDERS } from "../providers/adapter.ts";
import { enqueueNotification } from "../notify/outbox.ts";
import { QUEUE_COLUMNS, type QueueRow } from "./columns.ts";

/** The first matching rule's approver count as SQL over a recommendation row `r`; no rule matches: 1. */
function requiredApprovalsSql(config: Pick<Config, "approvals">): string {
  const whens = config.approvals.rules.map((rule) => {
    const conditions = [
      rule.risk_levels ? `r.risk_level in (${rule.risk_levels.map(lit).join(", ")})` : "",
      rule.min_monthly_savings !== undefined
        ? `r.estimated_monthly_savings >= ${lit(rule.min_monthly_savings)}`
        : "",
    ].filter(Boolean);
    return `when ${conditions.length ? conditions.join(" and ") : "true"} then ${rule.approvers}`;
  });
  return whens.length ? `case ${whens.join(" ")} else 1 end` : "1";
}

/**
 * Per detector and provider, the kind that automates it: only where the kind declares permissions
 * for the provider (bucket_lifecycle is AWS only: Blob and GCS lifecycle rules are not automated).
 */
const KINDS_SQL = `(values ${Object.entries(KIND_FOR_DETECTOR)
  .flatMap(([detector, k]) =>
    PROVIDERS.filter((p) => (KINDS[k.kind]?.permissions[p].length ?? 0) > 0).map(
      (p) => `(${lit(detector)}, ${lit(p)}, ${lit(k.kind)}, ${k.irreversible})`,
    ),
  )
  .join(", ")}) as k(detector, provider, kind, irreversible)`;

/** The queue as it should be now: open recommendations with their etag, kind and approvers needed. */
function wantedQueueSql(config: Pick<Config, "approvals">, now: Date): string {
  return `
    with r as (
      select *, estimated_monthly_savings::decimal(18, 2) as savings
      from marts.recommendations where status = 'open'
    ),
    factors as (
      select recommendation_id,
        list_sort(list_transform(
          from_json(risk_factors, '[{"factor":"VARCHAR","score":"DOUBLE","evidence":"VARCHAR"}]'),
          f -> {'score': f.score, 'text': f.factor || ': ' || f.evidence}), 'DESC')[1].text as top_risk_factor,
        array_to_string(from_json(mitigations, '["VARCHAR"]'), '; ') as mitigations
      from r
    )
    select
      r.recommendation_id,
      md5(concat_ws(chr(31), coalesce(r.resource_id, ''), r.action, coalesce(r.current_configuration, ''),
        coalesce(r.target_configuration, ''), r.savings::varchar, r.currency, coalesce(r.risk_level, ''))) as version,
      r.provider, r.billing_account_id, r.sub_account_id, r.resource_id, r.region, r.detector, r.category, r.action,
      k.kind as action_kind, coalesce(k.irreversible, false) as irreversible,
      r.current_configuration, r.target_configuration,
      r.savings as estimated_monthly_savings,
      r.estimated_monthly_savings_at_list::decimal(18, 2) as list_monthly_savings,
      r.currency, r.risk_level, r.risk_score::integer as risk_score,
      f.top_risk_factor, f.mitigations,
      r.priority::decimal(6, 2) as priority,
      ${requiredApprovalsSql(config)} as required_approvals,
      ${lit(now.toISOString())}::timestamptz as queued_at
    from r
    left join factors f using (recommendation_id)
    -- Only providers an adapter can change are automated (OCI's rows, from a FOCUS export, are done by hand).
    left join ${KINDS_SQL} on k.detector = r.detector and k.provider = r.provider`;
}

export interface QueueRefresh {
  rows: number;
  /** Rows that entered the queue at a version never announced before (approval_needed sent). */
  entered: number;
}

/**
 * Rebuild ops.approval_queue from the open recommendations in one transaction, and announce
 * (approval_needed, once per recommendation and version, remembered in the audit log) the rows
 * that are new or changed.
 */
export async function refreshApprovalQueue(
  warehouse: Warehouse,
  config: Pick<Config, "approvals" | "notifications">,
  now: Date = new Date(),
): Promise<QueueRefresh> {
  return warehouse.transaction(async (tx) => {
    const columns = QUEUE_COLUMNS.join(", ");
    await tx.run(`create or replace temp table approval_queue_wanted as ${wantedQueueSql(config, now)}`);
    // queued_at survives while the version does: the request is the same one, still waiting.
    await tx.run(`update approval_queue_wanted w set queued_at = q.queued_at
      from ops.approval_queue q where q.recommendation_id = w.recommendation_id and q.version = w.version`);
    await tx.run("delete from ops.approval_queue");
    await tx.run(`insert into ops.approval_queue (${columns}) select ${columns} from approval_queue_wanted`);
    await tx.run("drop table approval_queue_wanted");
    const entered = await announceNewRows(tx, config);
    const [count] = await tx.all<{ n: number }>("select count(*)::integer as n from ops.approval_queue");
    return { rows: count?.n ?? 0, entered };
  });
}

async function announceNewRows(tx: TransactionScope, config: Pick<Config, "notifications">): Promise<number> {
  const fresh = await tx.all<QueueRow>(`
    select q.* from ops.approval_queue q
    where not exists (select 1 from ops.audit_log a where a.event = 'approval.requested'
      and a.subject = q.recommendation_id and (a.detail ->> 'version') = q.version)
    order by q.priority desc nulls last, q.recommendation_id`);
  // One append for all of them: its rows go in batched inserts.
  const requested = fresh.map((row) => ({
    actor: "cco:approvals",
    event: "approval.requested",
    subject: row.recommendation_id,
    detail: {
      version: row.version,
      required_approvals: row.required_approvals,
      action_kind: row.action_kind,
    },
  }));
  await appendAuditEntries(tx, requested);
  for (const row of fresh) {
    await enqueueNotification(tx, config, {
      event: "approval_needed",
      subject: row.recommendation_id,
      title: `Approval needed: ${row.action} ${row.resource_id ?? ""} saves ${row.estimated_monthly_savings} ${row.currency}/month (${row.risk_level ?? "unknown"} risk)`,
      fields: noticeFields(row),
    });
  }
  return fresh.length;
}

/** The fields a notification template shows about a queue row. */
export function noticeFields(row: QueueRow): Record<string, string | number | null> {
  return {
    recommendation_id: row.recommendation_id,
    version: row.version,
    provider: row.provider,
    resource_id: row.resource_id,
    action: row.action,
    current_configuration: row.current_configuration,
    target_configuration: row.target_configuration,
    estimated_monthly_savings: row.estimated_monthly_savings,
    currency: row.currency,
    risk_level: row.risk_level,
    required_approvals: row.required_approvals,
  };
}

/** The queue in the sheet's order: highest priority first. */
export async function readQueue(db: Pick<Warehouse, "all">): Promise<QueueRow[]> {
  return db.all<QueueRow>(
    `select ${QUEUE_COLUMNS.join(", ")} from ops.approval_queue
     order by priority desc nulls last, estimated_monthly_savings desc, recommendation_id`,
  );
}
