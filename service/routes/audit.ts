/** /api/v1/audit: the hash-chained audit log, newest first; verify the chain (admin). */
import { z } from "zod";
import { auditWhere } from "../../actions/audit/read.ts";
import { verifyAudit } from "../../actions/audit/verify.ts";
import { PAGE_DEFAULT, PAGE_MAX, parseJsonColumns, type RouteContext } from "./context.ts";

export function register({ api, reader }: RouteContext): void {
  api.route(
    {
      method: "get",
      path: "/api/v1/audit",
      shared: true,
      tag: "audit",
      summary:
        "Audit entries, newest first, filtered by subject or event (a family: approval matches approval.decided)",
      access: "viewer",
      query: z.strictObject({
        subject: z.string().min(1).max(200).optional(),
        event: z.string().min(1).max(100).optional(),
        limit: z.coerce.number().int().min(1).max(PAGE_MAX).default(PAGE_DEFAULT),
        offset: z.coerce.number().int().min(0).default(0),
      }),
    },
    async ({ query }) => {
      const { sql: whereSql, params } = auditWhere(query);
      const [rows, [count]] = await Promise.all([
        reader().all<Record<string, unknown>>(
          `select seq, logged_at::varchar as logged_at, actor, event, subject, detail::varchar as detail, hash
           from ops.audit_log ${whereSql} order by seq desc limit ${query.limit} offset ${query.offset}`,
          params,
        ),
        reader().all<{ n: number }>(`select count(*)::integer as n from ops.audit_log ${whereSql}`, params),
      ]);
      return {
        items: rows.map((r) => ({ ...parseJsonColumns(r, ["detail"]), seq: Number(r.seq) })),
        total: Number(count?.n ?? 0),
        limit: query.limit,
        offset: query.offset,
      };
    },
  );

  api.route(
    {
      method: "get",
      path: "/api/v1/audit/verify",
      tag: "audit",
      summary: "Recompute the hash chain and compare its head with the anchor",
      access: "admin",
    },
    () => verifyAudit(reader()),
  );
}
