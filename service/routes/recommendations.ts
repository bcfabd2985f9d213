/**
 * /api/v1/recommendations: marts.recommendations filtered, sorted and paged in SQL, each row with
 * where its approval stands (actions/approvals/status.ts statusOf, the rules the executor obeys).
 * Filtering by approval state needs every row's state, so it is applied after the query.
 */
import { z } from "zod";
import { type ApprovalState, statusOf } from "../../actions/approvals/status.ts";
import type { QueueRow } from "../../actions/approvals/columns.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";
import { ApiError } from "../http/errors.ts";
import { orUnavailable } from "./assistant.ts";
import { PAGE_DEFAULT, PAGE_MAX, parseJsonColumns, type RouteContext } from "./context.ts";

export const APPROVAL_STATES = ["waiting", "approved", "rejected", "deferred", "expired", "stale"] as const;

/** Columns a client may sort by (`-` in front: descending). */
export const SORTABLE = [
  "estimated_monthly_savings",
  "estimated_monthly_savings_at_list",
  "priority",
  "risk_score",
  "risk_level",
  "confidence",
  "provider",
  "detector",
  "category",
  "billing_account_id",
  "sub_account_id",
  "resource_id",
  "region",
  "effort",
  "status",
  "recommendation_id",
] as const;

const JSON_COLUMNS = ["evidence", "risk_factors", "mitigations"] as const;
/** Risk levels sort by severity, not by spelling. */
const RISK_ORDER = "case risk_level when 'low' then 1 when 'medium' then 2 when 'high' then 3 end";

export const approvalSchema = z
  .object({
    state: z.enum(APPROVAL_STATES),
    approvals: z.number(),
    required: z.number(),
    version: z.string(),
    approvers: z.array(z.string()),
    expires_at: z.string().nullable(),
    execute_after: z.string().nullable(),
  })
  .nullable();

const listQuery = z.strictObject({
  status: z.enum(["open", "dismissed"]).optional(),
  provider: z.string().min(1).optional(),
  detector: z.string().min(1).optional(),
  category: z.string().min(1).optional(),
  risk: z.enum(["low", "medium", "high"]).optional(),
  approval: z.enum(APPROVAL_STATES).optional(),
  q: z.string().max(200).optional(),
  sort: z
    .string()
    .regex(new RegExp(`^-?(${SORTABLE.join("|")})$`), {
      error: `expected one of ${SORTABLE.join(", ")}, - in front for descending`,
    })
    .default("-priority"),
  limit: z.coerce.number().int().min(1).max(PAGE_MAX).default(PAGE_DEFAULT),
  offset: z.coerce.number().int().min(0).default(0),
});

const idParams = z.strictObject({ id: z.string().min(1).max(200) });

type DecisionRows = Parameters<typeof statusOf>[1];

/** Where the approval of each given recommendation stands now (null: not in the approval queue). */
export async function approvalsOf(db: Warehouse, ids: string[] | "all", now: Date) {
  if (ids !== "all" && !ids.length) return new Map<string, z.output<typeof approvalSchema>>();
  const only = ids === "all" ? "true" : `recommendation_id in (${ids.map((_, i) => `$${i + 2}`).join(", ")})`;
  const params = [now.toISOString(), ...(ids === "all" ? [] : ids)];
  const queue = await db.all<QueueRow>(
    `select * from ops.approval_queue where $1::timestamptz is not null and ${only}`,
    params,
  );
  const decisions = await db.all<DecisionRows[number]>(
    `select recommendation_id, version, decision, approver, decided_at::varchar as decided_at,
       execute_after::varchar as execute_after, expires_at::varchar as expires_at, acknowledge_irreversible
     from ops.approvals where decided_at <= $1::timestamptz and ${only}
     order by decided_at, approval_id`,
    params,
  );
  const byId = new Map<string, DecisionRows>();
  for (const d of decisions) byId.set(d.recommendation_id, [...(byId.get(d.recommendation_id) ?? []), d]);
  const out = new Map<string, z.output<typeof approvalSchema>>();
  for (const row of queue) {
    const s = statusOf(row, byId.get(row.recommendation_id) ?? [], now);
    out.set(row.recommendation_id, {
      state: s.state as ApprovalState,
      approvals: s.approvals,
      required: s.required,
      version: s.version,
      approvers: s.approvers,
      expires_at: s.expiresAt?.toISOString() ?? null,
      execute_after: s.executeAfter?.toISOString() ?? null,
    });
  }
  return out;
}

/** Before the first pipeline run there is no marts.recommendations: an empty list, not an error. */
async function unlessNoMart<T>(work: () => Promise<T>, empty: T): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (/Table with name recommendations does not exist/.test((error as Error).message)) return empty;
    throw error;
  }
}

export function register({ api, reader, warehouse, config, now }: RouteContext): void {
  api.route(
    {
      method: "get",
      path: "/api/v1/recommendations",
      shared: true,
      tag: "recommendations",
      summary: "Recommendations, filtered, sorted and paged, each with its approval state",
      access: "viewer",
      query: listQuery,
      response: z.object({
        items: z.array(z.record(z.string(), z.unknown())),
        total: z.number(),
        limit: z.number(),
        offset: z.number(),
      }),
    },
    async ({ query }) => {
      const empty = { items: [], total: 0, limit: query.limit, offset: query.offset };
      const where: string[] = [];
      const params: string[] = [];
      const bind = (value: string) => {
        params.push(value);
        return `$${params.length}`;
      };
      if (query.status) where.push(`status = ${bind(query.status)}`);
      if (query.provider) where.push(`provider = ${bind(query.provider)}`);
      if (query.detector) where.push(`detector = ${bind(query.detector)}`);
      if (query.category) where.push(`category = ${bind(query.category)}`);
      if (query.risk) where.push(`risk_level = ${bind(query.risk)}`);
      if (query.q) {
        const p = bind(`%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
        where.push(
          `concat_ws(' ', recommendation_id, resource_id, action, detector, category, provider, billing_account_id,
             sub_account_id, region, current_configuration, target_configuration) ilike ${p} escape '\\'`,
        );
      }
      const desc = query.sort.startsWith("-");
      const column = query.sort.replace(/^-/, "");
      const key = column === "risk_level" ? RISK_ORDER : column;
      const order = `${key} ${desc ? "desc" : "asc"} nulls last, recommendation_id`;
      const whereSql = where.length ? `where ${where.join(" and ")}` : "";
      const at = now();
      const withApproval = (
        rows: Record<string, unknown>[],
        states: Awaited<ReturnType<typeof approvalsOf>>,
      ) =>
        rows.map((r) => ({
          ...parseJsonColumns(r, JSON_COLUMNS),
          approval: states.get(String(r.recommendation_id)) ?? null,
        }));
      if (query.approval) {
        // Every matching row's state first, then the page.
        const [rows, states] = await unlessNoMart(
          () =>
            Promise.all([
              reader().all<Record<string, unknown>>(
                `select * from marts.recommendations ${whereSql} order by ${order}`,
                params,
              ),
              approvalsOf(reader(), "all", at),
            ]),
          [[], new Map()],
        );
        const matching = rows.filter(
          (r) => states.get(String(r.recommendation_id))?.state === query.approval,
        );
        return {
          items: withApproval(matching.slice(query.offset, query.offset + query.limit), states),
          total: matching.length,
          limit: query.limit,
          offset: query.offset,
        };
      }
      // The page with the number of matching rows alongside (one query); past the last page, a count.
      const rows = await unlessNoMart(
        () =>
          reader().all<Record<string, unknown>>(
            `select *, count(*) over () as total_matching from marts.recommendations ${whereSql}
             order by ${order} limit ${query.limit} offset ${query.offset}`,
            params,
          ),
        undefined,
      );
      if (!rows) return empty;
      const total = rows.length
        ? Number(rows[0]!.total_matching)
        : Number(
            (
              await reader().all<{ n: number }>(
                `select count(*)::integer as n from marts.recommendations ${whereSql}`,
                params,
              )
            )[0]?.n ?? 0,
          );
      for (const r of rows) delete r.total_matching;
      const states = await approvalsOf(
        reader(),
        rows.map((r) => String(r.recommendation_id)),
        at,
      );
      return { items: withApproval(rows, states), total, limit: query.limit, offset: query.offset };
    },
  );

  api.route(
    {
      method: "get",
      path: "/api/v1/recommendations/providers",
      shared: true,
      tag: "recommendations",
      summary: "The providers recommendations name, with how many each (the grid's provider filter)",
      access: "viewer",
      query: z.strictObject({ status: z.enum(["open", "dismissed"]).optional() }),
      response: z.object({ items: z.array(z.object({ provider: z.string(), recommendations: z.number() })) }),
    },
    // Whatever providers the bills hold: a FOCUS export from any cloud lands under its own name.
    async ({ query }) => ({
      items: await unlessNoMart(
        () =>
          reader().all<{ provider: string; recommendations: number }>(
            `select provider, count(*)::integer as recommendations from marts.recommendations
             where provider is not null ${query.status ? "and status = $1" : ""}
             group by provider order by provider`,
            query.status ? [query.status] : [],
          ),
        [],
      ),
    }),
  );

  api.route(
    {
      method: "get",
      path: "/api/v1/recommendations/:id",
      shared: true,
      tag: "recommendations",
      summary: "One recommendation with its risk factors, history and approval decisions",
      access: "viewer",
      params: idParams,
    },
    async ({ params }) => {
      // The row, its history, its decisions and its approval state, side by side on their own connections.
      const [[row], history, decisions, approvals] = await Promise.all([
        unlessNoMart(
          () =>
            reader().all<Record<string, unknown>>(
              "select * from marts.recommendations where recommendation_id = $1",
              [params.id],
            ),
          [],
        ),
        reader().all(
          `select changed_at::varchar as changed_at, status, reason, detector, resource_id, target_configuration,
             estimated_monthly_savings, currency, changed_by
           from ops.recommendation_history where recommendation_id = $1 order by changed_at`,
          [params.id],
        ),
        reader().all(
          `select approval_id, version, decision, approver, decided_at::varchar as decided_at,
             execute_after::varchar as execute_after, expires_at::varchar as expires_at, acknowledge_irreversible,
             note, source
           from ops.approvals where recommendation_id = $1 order by decided_at, approval_id`,
          [params.id],
        ),
        approvalsOf(reader(), [params.id], now()),
      ]);
      if (!row) throw new ApiError("not_found", `no recommendation ${params.id}`);
      return {
        ...parseJsonColumns(row, JSON_COLUMNS),
        approval: approvals.get(params.id) ?? null,
        history,
        decisions,
      };
    },
  );

  api.route(
    {
      method: "get",
      path: "/api/v1/recommendations/:id/explain",
      shared: true,
      tag: "recommendations",
      summary: "Why, the evidence, the risk and what to watch (the assistant; templates without a model)",
      access: "viewer",
      params: idParams,
    },
    async ({ params }) => {
      const [row] = await unlessNoMart(
        () => reader().all("select 1 from marts.recommendations where recommendation_id = $1", [params.id]),
        [],
      );
      if (!row) throw new ApiError("not_found", `no recommendation ${params.id}`);
      const { explainRecommendation } = await import("../../assistant/index.ts");
      const e = await orUnavailable(() => explainRecommendation(warehouse, config, params.id));
      return { recommendation_id: e.recommendationId, source: e.source, text: e.text, evidence: e.evidence };
    },
  );
}
