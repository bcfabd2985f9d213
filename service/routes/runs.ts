/** /api/v1/runs: pipeline runs (ops.pipeline_runs) with their steps; start one (operator). */
import { z } from "zod";
import { PIPELINE_STAGES } from "../../core/pipeline-settings.ts";
import { ApiError } from "../http/errors.ts";
import { PAGE_MAX, parseJsonColumns, type RouteContext } from "./context.ts";

const RUN_COLUMNS = `run_id::varchar as run_id, command, started_at::varchar as started_at, finished_at::varchar as finished_at,
  status, steps::varchar as steps, error, trigger, selection::varchar as selection, resumed_from::varchar as resumed_from`;

export function register({ api, reader, background }: RouteContext): void {
  api.route(
    {
      method: "get",
      path: "/api/v1/runs",
      shared: true,
      tag: "runs",
      summary: "Pipeline runs, newest first",
      access: "viewer",
      query: z.strictObject({ limit: z.coerce.number().int().min(1).max(PAGE_MAX).default(20) }),
    },
    async ({ query }) => {
      const rows = await reader().all<Record<string, unknown>>(
        `select ${RUN_COLUMNS} from ops.pipeline_runs order by run_id desc limit ${query.limit}`,
      );
      return {
        items: rows.map((r) => parseJsonColumns(r, ["steps", "selection"])),
        running: background.pipelineRunning(),
      };
    },
  );

  api.route(
    {
      method: "get",
      path: "/api/v1/runs/:id",
      shared: true,
      tag: "runs",
      summary: "One pipeline run with its steps (ops.pipeline_steps)",
      access: "viewer",
      params: z.strictObject({
        id: z.string().regex(/^\d{1,18}$/, { error: "expected a run id (a number)" }),
      }),
    },
    async ({ params }) => {
      const db = reader();
      const [run] = await db.all<Record<string, unknown>>(
        `select ${RUN_COLUMNS} from ops.pipeline_runs where run_id = $1::bigint`,
        [params.id],
      );
      if (!run) throw new ApiError("not_found", `no pipeline run ${params.id}`);
      const steps = await db.all<Record<string, unknown>>(
        `select step, status, started_at::varchar as started_at, finished_at::varchar as finished_at, fingerprint,
           rows, cost_totals::varchar as cost_totals, attempts, detail::varchar as detail, error
         from ops.pipeline_steps where run_id = $1::bigint order by started_at`,
        [params.id],
      );
      const parsed = parseJsonColumns(run, ["steps", "selection"]);
      // Runs from before ops.pipeline_steps existed have only the run's own summary of its steps.
      return {
        ...parsed,
        steps: steps.length
          ? steps.map((s) => parseJsonColumns(s, ["cost_totals", "detail"]))
          : (parsed.steps ?? []),
      };
    },
  );

  api.route(
    {
      method: "post",
      path: "/api/v1/runs",
      tag: "runs",
      summary:
        "Start a pipeline run (from/to/only select stages; force runs unchanged stages too); 409 while one runs",
      access: "operator",
      status: 202,
      body: z
        .strictObject({
          from: z.enum(PIPELINE_STAGES).optional(),
          to: z.enum(PIPELINE_STAGES).optional(),
          only: z.array(z.enum(PIPELINE_STAGES)).min(1).optional(),
          force: z.boolean().optional(),
        })
        .optional(),
    },
    ({ body }) => {
      background.startPipeline(body ?? {});
      return { run: "started" };
    },
  );
}
