/**
 * ops.recommendation_history: every state change of a recommendation, so a run never silently
 * drops one. After each build of marts.recommendations, compared with each id's latest state:
 * new (first found, or found again after it closed), open (still found, its savings moved),
 * superseded (the same detector now proposes another target for the resource), resolved (no
 * longer found: the resource went away or changed), dismissed (a user's decision, `cco
 * recommend dismiss`). All changes of a run land in one transaction.
 */
import { faultPoint } from "../../core/faults.ts";
import { lit } from "../../core/sql.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";

export type HistoryStatus = "new" | "open" | "resolved" | "superseded" | "dismissed";

/** Each id's latest state (ids ever recorded). */
const LATEST = `
  select recommendation_id,
      arg_max(status, changed_at) as status,
      arg_max(estimated_monthly_savings, changed_at) as savings,
      arg_max(currency, changed_at) as currency,
      arg_max(detector, changed_at) as detector,
      arg_max(resource_id, changed_at) as resource_id,
      arg_max(target_configuration, changed_at) as target_configuration
  from ops.recommendation_history group by recommendation_id`;

/** A savings move below this share is noise, not a change worth a row. */
const SAVINGS_CHANGE = 0.01;

export async function recordHistory(
  warehouse: Warehouse,
  changedBy = "cco recommend",
): Promise<Record<HistoryStatus, number>> {
  const by = lit(changedBy);
  const counts = await warehouse.transaction(async (tx) => {
    await tx.run(`create or replace temp table history_changes as
      with latest as (${LATEST}),
      current as (select * from marts.recommendations),
      found as (
        select c.recommendation_id, case when l.status is null or l.status in ('resolved', 'superseded') then 'new' else 'open' end as status,
            case when l.status is null then 'first found'
                 when l.status in ('resolved', 'superseded') then 'found again after it was ' || l.status
                 else 'still open; savings ' || l.savings || ' -> ' || c.estimated_monthly_savings || ' ' || c.currency end as reason,
            c.detector, c.resource_id, c.target_configuration, c.estimated_monthly_savings, c.currency,
            l.status as was, l.savings as was_savings, l.currency as was_currency
        from current c left join latest l using (recommendation_id)
      ),
      gone as (
        select * from latest
        where status in ('new', 'open', 'dismissed') and recommendation_id not in (select recommendation_id from current)
      )
      select recommendation_id, status, reason, detector, resource_id, target_configuration, estimated_monthly_savings, currency
      from found
      where status = 'new' or (was <> 'dismissed' and (was_currency is distinct from currency
          or abs(estimated_monthly_savings - was_savings) > ${SAVINGS_CHANGE} * greatest(abs(was_savings), 1)))
      union all
      select g.recommendation_id,
          case when s.recommendation_id is not null then 'superseded' else 'resolved' end,
          case when s.recommendation_id is not null
                   then 'superseded by ' || s.recommendation_id || ': target ' || coalesce(s.target_configuration, 'none')
               when g.detector not like 'commitment%' and not exists (
                   select 1 from marts.resources r where r.resource_id = g.resource_id and r.state = 'active')
                   then 'the resource went away'
               else 'no longer found: the resource or its usage changed' end,
          g.detector, g.resource_id, g.target_configuration, g.savings, g.currency
      from gone g
      left join (select * from current qualify row_number() over (partition by detector, resource_id order by recommendation_id) = 1) s
          on s.detector = g.detector and s.resource_id = g.resource_id`);
    await tx.run(`insert into ops.recommendation_history
      select recommendation_id, now(), status, reason, detector, resource_id, target_configuration,
          estimated_monthly_savings, currency, ${by}
      from history_changes`);
    const rows = await tx.all<{ status: HistoryStatus; n: number }>(
      "select status, count(*)::integer as n from history_changes group by status",
    );
    await tx.run("drop table history_changes");
    return rows;
  });
  // Recorded, before the snapshots and the approval table: the rerun must add nothing to it.
  faultPoint("recommend:history-recorded");
  const result: Record<HistoryStatus, number> = { new: 0, open: 0, resolved: 0, superseded: 0, dismissed: 0 };
  for (const r of counts) result[r.status] = Number(r.n);
  return result;
}

/**
 * A user's decision that a recommendation will not be acted on: recorded with its reason; the
 * next build of marts.recommendations shows it dismissed (and the approval table leaves it out).
 */
export async function dismiss(
  warehouse: Warehouse,
  recommendationId: string,
  reason: string,
  user: string,
): Promise<boolean> {
  const found = await warehouse.all<Record<string, unknown>>(
    `select detector, resource_id, target_configuration, estimated_monthly_savings, currency
     from marts.recommendations where recommendation_id = $1`,
    [recommendationId],
  );
  const row = found[0];
  if (!row) return false;
  // Together: a kill between the two would leave the table saying open what the history dismissed.
  await warehouse.transaction(async (tx) => {
    await tx.run(
      `insert into ops.recommendation_history values ($1, now(), 'dismissed', $2, $3, $4, $5, $6::decimal(18, 2), $7, $8)`,
      [
        recommendationId,
        reason,
        row.detector as string,
        row.resource_id as string,
        (row.target_configuration as string | null) ?? null,
        String(row.estimated_monthly_savings),
        row.currency as string,
        user,
      ],
    );
    await tx.run(
      "update marts.recommendations set status = 'dismissed', status_reason = $2 where recommendation_id = $1",
      [recommendationId, reason],
    );
  });
  return true;
}
