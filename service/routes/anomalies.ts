/** /api/v1/anomalies: cost anomalies with their root causes; acknowledge one (or mark it expected). */
import { z } from "zod";
import { setAnomalyStatus } from "../../ml/anomalies/status.ts";
import { ApiError } from "../http/errors.ts";
import { PAGE_DEFAULT, PAGE_MAX, parseJsonColumns, type RouteContext } from "./context.ts";

export function register({ api, warehouse, reader }: RouteContext): void {
  api.route(
    {
      method: "get",
      path: "/api/v1/anomalies",
      shared: true,
      tag: "anomalies",
      summary: "Cost anomalies, largest impact first, with their root cause",
      access: "viewer",
      query: z.strictObject({
        status: z.enum(["open", "acknowledged", "expected"]).optional(),
        limit: z.coerce.number().int().min(1).max(PAGE_MAX).default(PAGE_DEFAULT),
        offset: z.coerce.number().int().min(0).default(0),
      }),
    },
    async ({ query }) => {
      const db = reader();
      const where = query.status ? "where status = $1" : "";
      const params = query.status ? [query.status] : [];
      const rows = await db.all<Record<string, unknown>>(
        `select anomaly_id, scope_type, scope, provider, billing_account_id, sub_account_id, service_name, region, currency,
           start_date::varchar as start_date, end_date::varchar as end_date, expected_cost, actual_cost, impact, impact_pct,
           root_cause::varchar as root_cause, event_id, status, status_by, status_reason, status_at::varchar as status_at,
           first_detected_at::varchar as first_detected_at, last_detected_at::varchar as last_detected_at
         from ml.cost_anomalies ${where} order by abs(impact) desc, anomaly_id limit ${query.limit} offset ${query.offset}`,
        params,
      );
      const [count] = await db.all<{ n: number }>(
        `select count(*)::integer as n from ml.cost_anomalies ${where}`,
        params,
      );
      return {
        items: rows.map((r) => parseJsonColumns(r, ["root_cause"])),
        total: Number(count?.n ?? 0),
        limit: query.limit,
        offset: query.offset,
      };
    },
  );

  api.route(
    {
      method: "post",
      path: "/api/v1/anomalies/:id/ack",
      tag: "anomalies",
      summary: "Acknowledge an anomaly (seen, being handled), or mark it expected; covers its whole event",
      access: "approver",
      params: z.strictObject({ id: z.string().min(1).max(100) }),
      body: z
        .strictObject({ expected: z.boolean().optional(), note: z.string().max(2000).optional() })
        .optional(),
    },
    async ({ params, body, auth }) => {
      const status = body?.expected ? "expected" : "acknowledged";
      const found = await setAnomalyStatus(warehouse, params.id, status, body?.note ?? null, auth.username);
      if (!found) throw new ApiError("not_found", `no anomaly ${params.id}`);
      return { anomaly_id: params.id, status, status_by: auth.username };
    },
  );
}
