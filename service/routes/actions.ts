/**
 * /api/v1/actions: the executor's actions and their events; a dry-run plan, a run now, a rollback
 * and the kill switch, each as the signed-in operator (actions/executor: the same functions as
 * `cco actions`).
 */
import { z } from "zod";
import { executorControl, setPaused } from "../../actions/executor/control.ts";
import { ACTION_STATES, loadAction } from "../../actions/executor/records.ts";
import { UsageError } from "../../core/errors.ts";
import { ApiError } from "../http/errors.ts";
import { PAGE_DEFAULT, PAGE_MAX, parseJsonColumns, type RouteContext } from "./context.ts";

const idParams = z.strictObject({ id: z.string().min(1).max(100) });
const reasonBody = z.strictObject({ reason: z.string().max(2000).optional() }).optional();

export function register({ api, warehouse, reader, config, background }: RouteContext): void {
  api.route(
    {
      method: "get",
      path: "/api/v1/actions",
      shared: true,
      tag: "actions",
      summary: "Actions, newest first, with the kill switch's state",
      access: "viewer",
      query: z.strictObject({
        state: z.enum(ACTION_STATES).optional(),
        mode: z.enum(["dry_run", "execute"]).optional(),
        recommendation_id: z.string().min(1).max(200).optional(),
        limit: z.coerce.number().int().min(1).max(PAGE_MAX).default(PAGE_DEFAULT),
        offset: z.coerce.number().int().min(0).default(0),
      }),
    },
    async ({ query }) => {
      const where: string[] = [];
      const params: string[] = [];
      for (const key of ["state", "mode", "recommendation_id"] as const) {
        const value = query[key];
        if (value === undefined) continue;
        params.push(value);
        where.push(`${key} = $${params.length}`);
      }
      const whereSql = where.length ? `where ${where.join(" and ")}` : "";
      const [items, count, control] = await Promise.all([
        reader().all(
          `select action_id, run_id, recommendation_id, version, kind, provider, billing_account_id, sub_account_id,
             resource_id, state, mode, error, estimated_monthly_savings, currency,
             created_at::varchar as created_at, updated_at::varchar as updated_at, executed_at::varchar as executed_at,
             verify_after::varchar as verify_after, finished_at::varchar as finished_at
           from ops.actions ${whereSql} order by updated_at desc, action_id limit ${query.limit} offset ${query.offset}`,
          params,
        ),
        reader().all<{ n: number }>(`select count(*)::integer as n from ops.actions ${whereSql}`, params),
        executorControl(reader(), config),
      ]);
      return { items, total: Number(count[0]?.n ?? 0), limit: query.limit, offset: query.offset, control };
    },
  );

  api.route(
    {
      method: "get",
      path: "/api/v1/actions/:id",
      shared: true,
      tag: "actions",
      summary: "One action: its plan, prior state, undo, verification and every event",
      access: "viewer",
      params: idParams,
    },
    async ({ params }) => {
      const db = reader();
      const action = await loadAction(db, params.id);
      if (!action) throw new ApiError("not_found", `no action ${params.id}`);
      const events = await db.all<Record<string, unknown>>(
        `select occurred_at::varchar as occurred_at, from_state, to_state, call, request_id, detail::varchar as detail
         from ops.action_events where action_id = $1 order by occurred_at`,
        [params.id],
      );
      return { ...action, events: events.map((e) => parseJsonColumns(e, ["detail"])) };
    },
  );

  for (const [name, mode, summary] of [
    [
      "plan",
      "dry_run",
      "A dry run now: pre-flight every due approval, record the calls it would make, change nothing",
    ],
    ["run", "execute", "An executor run now, in the mode config sets (actions.mode)"],
  ] as const) {
    api.route(
      {
        method: "post",
        path: `/api/v1/actions/${name}`,
        tag: "actions",
        summary,
        access: "operator",
        body: z.strictObject({}).optional(),
      },
      // `run` keeps config's mode: a service configured to dry-run never executes because of a request.
      () => background.runExecutor(name === "plan" ? mode : config.actions.mode),
    );
  }

  api.route(
    {
      method: "post",
      path: "/api/v1/actions/:id/rollback",
      tag: "actions",
      summary: "Undo a succeeded or verifying action through its recorded undo",
      access: "operator",
      params: idParams,
      body: reasonBody,
    },
    async ({ params, body, auth }) => {
      if (!(await loadAction(warehouse, params.id)))
        throw new ApiError("not_found", `no action ${params.id}`);
      const { rollbackAction } = await import("../../actions/executor/rollback.ts");
      try {
        return await rollbackAction(warehouse, config, params.id, auth.username, { reason: body?.reason });
      } catch (error) {
        // The action exists: what is left is a state that cannot be undone (irreversible, not executed, over).
        if (error instanceof UsageError) throw new ApiError("conflict", error.message);
        throw error;
      }
    },
  );

  for (const [name, paused] of [
    ["pause", true],
    ["resume", false],
  ] as const) {
    api.route(
      {
        method: "post",
        path: `/api/v1/actions/${name}`,
        tag: "actions",
        summary: paused
          ? "The kill switch: no new action starts until resume"
          : "Let the executor start actions again",
        access: "operator",
        body: reasonBody,
      },
      async ({ body, auth }) => {
        await setPaused(warehouse, paused, auth.username, body?.reason ?? null);
        return executorControl(warehouse, config);
      },
    );
  }
}
