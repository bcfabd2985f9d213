/**
 * The whole pipeline as one run: generate (demo only) -> ingest -> models ->
 * recommend -> marts snapshots -> report -> approval table. Each run is
 * recorded in ops.pipeline_runs with its steps and timings.
 */
import path from "node:path";
import { exportApprovalTable } from "../actions/approvals/export.ts";
import { type Config, modelVars } from "../core/config.ts";
import { buildProject } from "../core/dbt/runner.ts";
import { CheckFailedError } from "../core/errors.ts";
import type { Progress } from "../core/log.ts";
import { PROJECT_ROOT } from "../core/paths.ts";
import { exportMarts } from "../core/warehouse/snapshots.ts";
import type { Warehouse } from "../core/warehouse/warehouse.ts";
import { ingestPaths } from "../ingest/load.ts";
import { ensureRawViews } from "../ingest/raw-views.ts";
import { recommend } from "../ml/recommend.ts";
import { buildReport } from "../reports/build.ts";
import { generateEstate } from "./estate-generator/generate.ts";

export { PROJECT_ROOT };

export interface RunSummary {
  spend: { provider: string; currency: string; last_30_days: string }[];
  recommendations: { count: number; savings: { currency: string; monthly: string }[] };
  site: string;
  approvalTable: string;
  warehouse: string;
  marts: string;
  steps: { name: string; seconds: number }[];
}

export async function runPipeline(
  warehouse: Warehouse,
  config: Config,
  options: { demo: boolean; inputs: string[] },
  progress: Progress,
): Promise<RunSummary> {
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
    if (!inputs.length) throw new CheckFailedError("nothing to ingest: pass export paths, or use --demo");
    await timed("ingest", () => ingestPaths(warehouse, inputs, { lakeDir: config.paths.lake }, progress));
    await ensureRawViews(warehouse);
    const build = await timed("models", () =>
      buildProject(
        warehouse,
        PROJECT_ROOT,
        { runModels: true, runTests: true, vars: modelVars(config), externalRoot: config.paths.marts },
        progress,
      ),
    );
    if (build.failed)
      throw new CheckFailedError(
        `models: ${build.failed} models or tests failed (see target/run_results.json)`,
      );
    await timed("recommend", () => recommend(warehouse, config, progress));
    await timed("snapshots", () =>
      progress.step("Writing Parquet snapshots of the marts", () =>
        exportMarts(warehouse, config.paths.marts),
      ),
    );
    const site = await timed("report", () =>
      progress.step("Building the report site (offline)", () =>
        buildReport({
          martsDir: config.paths.marts,
          siteDir: config.paths.site,
          title: config.reports.title,
        }),
      ),
    );
    const approvalTable = path.join(config.paths.exports, "approvals.csv");
    await timed("approvals", () => exportApprovalTable(warehouse, approvalTable));
    const summary = await summarize(warehouse, config, site, approvalTable, steps);
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
    "select currency, sum(estimated_monthly_savings)::varchar as monthly, count(*)::varchar as n from marts.recommendations group by 1 order by 1",
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
