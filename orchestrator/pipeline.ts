/**
 * The whole pipeline as one run: generate (demo only) -> ingest -> models ->
 * ml -> recommend (with the marts' snapshots and the approval table) -> due approved actions
 * (the demo's in the sandbox cloud) -> report, each stage
 * from stages.ts (the commands run the same ones). Each run is recorded in
 * ops.pipeline_runs with its steps and timings.
 */
import type { Config } from "../core/config.ts";
import { CheckFailedError, UsageError } from "../core/errors.ts";
import type { Progress } from "../core/log.ts";
import type { Warehouse } from "../core/warehouse/warehouse.ts";
import { JOB_ORDER } from "../ml/jobs.ts";
import type { ActionsStageResult } from "./actions-stage.ts";
import { ingestStage, mlStage, modelsStage, recommendStage, reportStage, snapshotStage } from "./stages.ts";

export interface RunSummary {
  spend: { provider: string; currency: string; last_30_days: string }[];
  recommendations: { count: number; savings: { currency: string; monthly: string }[] };
  site: string;
  approvalTable: string;
  warehouse: string;
  marts: string;
  steps: { name: string; seconds: number }[];
  actions?: ActionsStageResult;
}

export async function runPipeline(
  warehouse: Warehouse,
  config: Config,
  /** demoActions (default: demo): approve and execute the demo's rows in the sandbox cloud. */
  options: { demo: boolean; inputs: string[]; demoActions?: boolean },
  progress: Progress,
): Promise<RunSummary> {
  if (!options.demo && !options.inputs.length) {
    throw new UsageError("nothing to ingest: pass export paths, or use --demo");
  }
  const steps: RunSummary["steps"] = [];
  const runId = (
    await warehouse.db
      .insertInto("ops.pipeline_runs")
      .values({
        command: options.demo ? "run --demo" : "run",
        started_at: new Date().toISOString(),
        status: "running",
      })
      .returning("run_id")
      .executeTakeFirstOrThrow()
  ).run_id;
  const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const result = await work();
    steps.push({ name, seconds: Math.round(performance.now() - t0) / 1000 });
    return result;
  };
  try {
    const inputs = [...options.inputs];
    if (options.demo) {
      const { generateEstate } = await import("./estate-generator/generate.ts");
      const g = config.generate;
      await timed("generate", () =>
        generateEstate(
          { seed: g.seed, resources: g.resources, days: g.days, endDate: g.endDate },
          config.paths.estate,
          progress,
        ),
      );
      inputs.push(config.paths.estate);
    }
    await timed("ingest", () => ingestStage(warehouse, config, inputs, {}, progress));
    const build = await timed("models", () =>
      modelsStage(warehouse, config, { runModels: true, runTests: true }, progress),
    );
    if (build.failed)
      throw new CheckFailedError(
        `models: ${build.failed} models or tests failed (see target/run_results.json)`,
      );
    // Forecasts, anomalies and utilization predictions (the recommendations' risk reads them).
    await timed("ml", () => mlStage(warehouse, config, progress, JOB_ORDER));
    // Recommendations, the marts' snapshots (the report reads them) and the approval table.
    const { approvalTable } = await timed("recommend", () =>
      recommendStage(warehouse, config, progress, { detectorsBuilt: true }),
    );
    // Due approved actions (the demo approves and executes some in the sandbox cloud), then
    // the snapshots again so the report shows them.
    const { actionsStage } = await import("./actions-stage.ts");
    const actions = await timed("actions", async () => {
      const result = await actionsStage(warehouse, config, progress, {
        demo: options.demoActions ?? options.demo,
      });
      const realized = await modelsStage(
        warehouse,
        config,
        { runModels: true, runTests: true, select: ["realized_savings"] },
        progress,
      );
      if (realized.failed) throw new CheckFailedError("models: realized_savings or its tests failed");
      await snapshotStage(warehouse, config, progress);
      return result;
    });
    const site = await timed("report", () => reportStage(config, config.paths.site, progress));
    const summary = { ...(await summarize(warehouse, config, site, approvalTable, steps)), actions };
    await warehouse.db
      .updateTable("ops.pipeline_runs")
      .set({ status: "succeeded", finished_at: new Date().toISOString(), steps: JSON.stringify(steps) })
      .where("run_id", "=", runId)
      .execute();
    return summary;
  } catch (error) {
    await warehouse.db
      .updateTable("ops.pipeline_runs")
      .set({
        status: "failed",
        finished_at: new Date().toISOString(),
        steps: JSON.stringify(steps),
        error: String((error as Error).message),
      })
      .where("run_id", "=", runId)
      .execute();
    throw error;
  }
}

async function summarize(
  warehouse: Warehouse,
  config: Config,
  site: string,
  approvalTable: string,
  steps: RunSummary["steps"],
): Promise<RunSummary> {
  const spend = await warehouse.all<RunSummary["spend"][number]>(
    `select provider, currency, round(sum(effective_cost), 2)::varchar as last_30_days from marts.cost_daily
     where charge_date > (select max(charge_date) from marts.cost_daily) - 30 group by all order by provider, currency`,
  );
  const savings = await warehouse.all<{ currency: string; monthly: string; n: string }>(
    "select currency, sum(estimated_monthly_savings)::varchar as monthly, count(*)::varchar as n from marts.recommendations where status = 'open' group by 1 order by 1",
  );
  return {
    spend,
    recommendations: {
      count: savings.reduce((s, r) => s + Number(r.n), 0),
      savings: savings.map(({ currency, monthly }) => ({ currency, monthly })),
    },
    site,
    approvalTable,
    warehouse: warehouse.file,
    marts: config.paths.marts,
    steps,
  };
}

/** One stage of a run as ops.pipeline_steps records it (STUB type: the pipeline helper owns it). */
export interface PipelineStepRecord {
  runId: string;
  step: string;
  status: "running" | "succeeded" | "failed" | "skipped";
  seconds?: number;
  rows?: number;
  attempts?: number;
  error?: string;
}
