/**
 * The pipeline's stages, each once: `cco ingest`, `cco models …`, `cco recommend` and
 * `cco report` run one each, `cco run` (runPipeline) runs them in order. Each stage loads
 * its own dependencies when it runs, so a command pays only for the stages it uses.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Config } from "../core/config.ts";
import { writeFileAtomic } from "../core/files.ts";
import type { NodeResult } from "../core/dbt/runner.ts";
import type { FileCounts } from "../core/focus/conformance.ts";
import { CheckFailedError, UsageError } from "../core/errors.ts";
import type { Progress } from "../core/log.ts";
import { PROJECT_ROOT } from "../core/paths.ts";
import type { Warehouse } from "../core/warehouse/warehouse.ts";
import type { FileResult } from "../ingest/load.ts";
import type { JobName, JobResult } from "../ml/jobs.ts";

export interface IngestStageOptions {
  /** Read every file as this format instead of detecting it. */
  format?: string;
  /** Load the good files and report the bad ones instead of stopping at the first. */
  continueOnError?: boolean;
  /** For API sources: the first month to fetch (YYYY-MM). */
  since?: string;
}

/** Files, folders and remote URIs (copied to the cache first) into raw and the lake. */
export async function ingestStage(
  warehouse: Warehouse,
  config: Config,
  sources: string[],
  options: IngestStageOptions,
  progress: Progress,
): Promise<FileResult[]> {
  const { resolveTargets } = await import("../ingest/providers.ts");
  const { ingestPaths } = await import("../ingest/load.ts");
  const paths = await resolveTargets(sources, {
    cacheDir: config.paths.cache,
    config,
    progress,
    since: options.since,
    warehouse,
  });
  for (const p of paths) {
    if (!existsSync(p)) throw new UsageError(`${p}: no such file or folder`);
  }
  return ingestPaths(
    warehouse,
    paths,
    { lakeDir: config.paths.lake, format: options.format, continueOnError: options.continueOnError },
    progress,
  );
}

export interface ModelsStageOptions {
  /** dbt selectors (model, +model, model+, tag:x, path:dir); all models when empty. */
  select?: string[];
  runModels: boolean;
  runTests: boolean;
  /** Load the seeds (seeds/*.csv) first; default: when models are run. */
  runSeeds?: boolean;
  fullRefresh?: boolean;
}

/** The dbt project on the warehouse: raw views first (models read raw.*), then the build. */
export async function modelsStage(
  warehouse: Warehouse,
  config: Config,
  options: ModelsStageOptions,
  progress: Progress,
): Promise<{ results: NodeResult[]; failed: number }> {
  const { ensureRawViews } = await import("../ingest/raw-views.ts");
  const { buildProject } = await import("../core/dbt/runner.ts");
  const { modelVars } = await import("../core/config.ts");
  await ensureRawViews(warehouse);
  return buildProject(
    warehouse,
    PROJECT_ROOT,
    {
      select: (options.select ?? []).join(" "),
      runModels: options.runModels,
      runTests: options.runTests,
      runSeeds: options.runSeeds,
      fullRefresh: options.fullRefresh,
      vars: modelVars(config),
      externalRoot: config.paths.marts,
    },
    progress,
  );
}

/** Parquet snapshots of the marts, for readers that must not hold the warehouse (the report, analysts). */
export async function snapshotStage(
  warehouse: Warehouse,
  config: Config,
  progress: Progress,
): Promise<string[]> {
  const { exportMarts } = await import("../core/warehouse/snapshots.ts");
  const files = await progress.step("Writing Parquet snapshots of the marts", () =>
    exportMarts(warehouse, config.paths.marts),
  );
  // The report's data-quality page: the FOCUS score of focus_costs and the last build's tests.
  const opsDir = path.join(config.paths.marts, "ops");
  if (await warehouse.tableExists("marts", "focus_costs")) {
    const { checkConformance } = await import("../core/focus/conformance.ts");
    const { WAREHOUSE_CRITERIA } = await import("../core/focus/criteria.ts");
    const { externalFiles } = await import("../core/dbt/materializations/external.ts");
    // Row-level counts kept per Parquet file: a build that rewrote one period rechecks that period.
    const cacheFile = path.join(config.paths.cache, "focus-conformance-counts.json");
    const paths = await externalFiles(warehouse, "marts.focus_costs");
    const counts = paths ? readCounts(cacheFile) : undefined;
    const report = await progress.step("Checking FOCUS conformance for the report", () =>
      checkConformance(warehouse, "marts.focus_costs", {
        criteria: WAREHOUSE_CRITERIA,
        ...(paths && counts ? { files: { paths, counts } } : {}),
      }),
    );
    if (counts) writeJson(cacheFile, counts);
    const { rules, ...summary } = report;
    const failing = rules
      .filter((r) => r.status === "fail")
      .map((r) => ({ id: r.id, keyword: r.keyword, failing: r.failing }));
    files.push(
      writeJson(path.join(opsDir, "focus_conformance.json"), {
        ...summary,
        failing,
        checked_at: new Date().toISOString(),
      }),
    );
  }
  // The executive page's "approved" figure: each queued row's approval state under the rules.
  if (await warehouse.tableExists("ops", "approval_queue")) {
    const { approvalStatus } = await import("../actions/approvals/status.ts");
    const states = await progress.step("Reading the approvals' state", () =>
      approvalStatus(warehouse, config),
    );
    const executed = new Set(
      (
        await warehouse.all<{ id: string }>(
          "select distinct recommendation_id || '|' || version as id from ops.actions where mode = 'execute'",
        )
      ).map((r) => r.id),
    );
    files.push(
      writeJson(
        path.join(opsDir, "approval_status.json"),
        states.map((s) => ({
          recommendation_id: s.recommendationId,
          state: s.state,
          approvals: s.approvals,
          required: s.required,
          savings: Number(s.row.estimated_monthly_savings),
          currency: s.row.currency,
          executed: executed.has(`${s.recommendationId}|${s.version}`),
        })),
      ),
    );
  }
  // Each node's latest result: a build of a few models (cco recommend's) updates theirs and
  // keeps the others' from the last full build.
  const runResults = path.join(PROJECT_ROOT, "target", "run_results.json");
  if (existsSync(runResults)) {
    const latest = path.join(opsDir, "run_results.json");
    type Results = { metadata?: unknown; results?: { unique_id: string }[] };
    const previous: Results = existsSync(latest) ? JSON.parse(readFileSync(latest, "utf8")) : {};
    const current: Results = JSON.parse(readFileSync(runResults, "utf8"));
    const byId = new Map(
      [...(previous.results ?? []), ...(current.results ?? [])].map((r) => [r.unique_id, r]),
    );
    files.push(writeJson(latest, { metadata: current.metadata, results: [...byId.values()] }));
  }
  return files;
}

/** Written whole or not at all: a kill mid-write must not leave a cut file the next build cannot parse. */
/** The conformance counts kept by the last check; none (an empty cache) when unreadable. */
function readCounts(file: string): FileCounts {
  try {
    const counts = JSON.parse(readFileSync(file, "utf8")) as FileCounts;
    if (counts && typeof counts.files === "object") return counts;
  } catch {
    // First check, or a damaged file: count every file again.
  }
  return { files: {} };
}

function writeJson(file: string, value: unknown): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, JSON.stringify(value));
  return file;
}

/** The marts the ML jobs read. */
const ML_INPUTS = ["marts.cost_daily", "marts.focus_costs", "marts.resources"];

/**
 * The ML jobs, in order (anomalies read the forecasts' intervals; the utilization predictions
 * feed the recommendations' risk): each reads the marts and writes its ml.* tables.
 */
export async function mlStage(
  warehouse: Warehouse,
  config: Config,
  progress: Progress,
  jobs: JobName[],
): Promise<JobResult[]> {
  for (const relation of ML_INPUTS) {
    const [schema, table] = relation.split(".") as [string, string];
    if (!(await warehouse.tableExists(schema, table))) {
      throw new UsageError(
        `${relation} does not exist: build the models first (cco models build, or cco run)`,
      );
    }
  }
  const { JOB_ORDER, loadJob } = await import("../ml/jobs.ts");
  const results: JobResult[] = [];
  for (const name of JOB_ORDER.filter((j) => jobs.includes(j)))
    results.push(await (await loadJob(name)).run(warehouse, config, progress));
  return results;
}

/** The marts the detectors read; recommend before a models build names the missing one. */
const RECOMMEND_INPUTS = ["marts.cost_daily", "marts.resources", "marts.focus_costs", "marts.commitments"];

export interface RecommendStageResult {
  recommendations: number;
  history: Record<"new" | "open" | "resolved" | "superseded" | "dismissed", number>;
  approvalTable: string;
}

/**
 * The detectors (the models tagged recommendations), the risk job over their findings into
 * ml.recommendation_risk, marts.recommendations from both with its tests, the history of what
 * changed, then the marts' snapshots and the approval table of the open recommendations.
 * `detectorsBuilt`: the caller has just built every model (cco run), so the detectors are fresh.
 * `snapshots: false`: the caller writes the snapshots itself later (cco run's snapshot stage).
 */
export async function recommendStage(
  warehouse: Warehouse,
  config: Config,
  progress: Progress,
  options: { detectorsBuilt?: boolean; snapshots?: boolean } = {},
): Promise<RecommendStageResult> {
  for (const relation of RECOMMEND_INPUTS) {
    const [schema, table] = relation.split(".") as [string, string];
    if (!(await warehouse.tableExists(schema, table))) {
      throw new UsageError(
        `${relation} does not exist: build the models first (cco models build, or cco run)`,
      );
    }
  }
  const build = async (select: string) => {
    const { results, failed } = await modelsStage(
      warehouse,
      config,
      { select: [select], runModels: true, runTests: true },
      progress,
    );
    if (failed) {
      const names = results
        .filter((r) => r.status === "error" || r.status === "fail")
        .map((r) => r.unique_id);
      throw new CheckFailedError(
        `recommend: ${failed} models or tests failed: ${names.join(", ")} (see target/run_results.json)`,
      );
    }
  };
  if (!options.detectorsBuilt) await build("tag:recommendations");
  const { assessRisk } = await import("../ml/risk/job.ts");
  await progress.step("Assessing risk and priority", () => assessRisk(warehouse, config));
  await build("recommendations");
  const { recordHistory } = await import("../ml/recommend/history.ts");
  const history = await progress.step("Recording what changed", () => recordHistory(warehouse));
  const { countRows } = await import("../core/sql.ts");
  const recommendations = await countRows(warehouse, "marts.recommendations", "status = 'open'");
  const { writePipelineApprovalTable } = await import("../actions/approvals/export.ts");
  if (options.snapshots !== false) await snapshotStage(warehouse, config, progress);
  const { file: approvalTable } = await progress.step("Writing the approval table", () =>
    writePipelineApprovalTable(warehouse, config, (m) => progress.warn(m)),
  );
  return { recommendations, history, approvalTable };
}

/** The marts' snapshots the report reads. */
const REPORT_INPUTS = ["cost_daily", "recommendations"];

/** The static report site from the marts' Parquet snapshots (never the warehouse file). */
export async function reportStage(config: Config, siteDir: string, progress: Progress): Promise<string> {
  // A snapshot file, or an external mart's folder of Parquet.
  const missing = REPORT_INPUTS.filter(
    (m) =>
      !existsSync(path.join(config.paths.marts, `${m}.parquet`)) &&
      !existsSync(path.join(config.paths.marts, m)),
  );
  if (missing.length) {
    throw new UsageError(
      `no Parquet snapshot of ${missing.map((m) => `marts.${m}`).join(", ")} in ${config.paths.marts}: ` +
        "build the models and the recommendations first (cco models build && cco recommend, or cco run)",
    );
  }
  const { buildReport } = await import("../reports/build.ts");
  return progress.step("Building the report site (offline)", () =>
    buildReport({
      martsDir: config.paths.marts,
      siteDir,
      title: config.reports.title,
      budgets: config.reports.budgets,
    }),
  );
}
