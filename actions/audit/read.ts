/** Reading the audit log back: `cco audit log`, newest entries last, filtered by subject and event. */
import type { Warehouse } from "../../core/warehouse/warehouse.ts";

export interface LoggedEntry {
  seq: number;
  logged_at: string;
  actor: string;
  event: string;
  subject: string | null;
  detail: Record<string, unknown>;
}

export interface AuditFilter {
  subject?: string;
  /** An exact event, or a prefix up to a dot: `notification` matches notification.sent. */
  event?: string;
  /** The last N matching entries (default 50). */
  limit?: number;
}

/** The filter as a WHERE clause (empty when it filters nothing) and its parameters. */
export function auditWhere(filter: Pick<AuditFilter, "subject" | "event">): {
  sql: string;
  params: string[];
} {
  const where: string[] = [];
  const params: string[] = [];
  if (filter.subject !== undefined) {
    params.push(filter.subject);
    where.push(`subject = $${params.length}`);
  }
  if (filter.event !== undefined) {
    params.push(filter.event);
    where.push(`(event = $${params.length} or starts_with(event, $${params.length} || '.'))`);
  }
  return { sql: where.length ? `where ${where.join(" and ")}` : "", params };
}

export async function readAuditLog(warehouse: Warehouse, filter: AuditFilter = {}): Promise<LoggedEntry[]> {
  const where = auditWhere(filter);
  const rows = await warehouse.all<{
    seq: string;
    logged_at: string;
    actor: string;
    event: string;
    subject: string | null;
    detail: string;
  }>(
    `select * from (
       select seq, epoch_ms(logged_at) as logged_at,
              actor, event, subject, detail::varchar as detail
       from ops.audit_log ${where.sql}
       order by seq desc limit ${Math.max(1, Math.floor(filter.limit ?? 50))}
     ) order by seq`,
    where.params,
  );
  return rows.map((r) => ({
    ...r,
    seq: Number(r.seq),
    logged_at: new Date(Number(r.logged_at)).toISOString(),
    detail: JSON.parse(r.detail),
  }));
}
