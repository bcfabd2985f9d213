/**
 * Each stage of `cco run` as the pipeline sees it: what it reads (its fingerprint), whether its
 * outputs are still there (a skip needs them), and running it (the stage functions of
 * stages.ts, as the single commands run them) with the rows and money it reports.
 *
 * A stage that reads another stage's outputs fingerprints that stage's last execution, not its
 * current inputs: `--only ml` after new exports were ingested (but not modelled) finds the marts
 * unchanged and skips; the next full run rebuilds the models and then reruns ml.
 */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import type { Config } from "../core/config.ts";
import { CheckFailedError } from "../core/errors.ts";
import type { Progress } from "../core/log.ts";
import { shippedFile } from "../core/paths.ts";
import type { PipelineStage } from "../core/pipeline-settings.ts";
import type { Warehouse } from "../core/warehouse/warehouse.ts";
import { JOB_ORDER } from "../ml/jobs.ts";
import {
  CODE_VERSION,
  contentHash,
  fileStats,
  fingerprint,
  rowsDigest,
  schemaDigest,
} from "./fingerprints.ts";
import { lastExecution, outputState } from "./run-ledger.ts";
import { ingestStage, mlStage, modelsStage, recommendStage, reportStage, snapshotStage } from "./stages.ts";

export interface StepContext {
  warehouse: Warehouse;
  config: Config;
  progress: Progress;
  demo: boolean;
  /** Approve and execute the demo's rows in the sandbox cloud (the actions stage). */
  demoActions: boolean;
  /** What ingest loads: paths and URIs (the estate too with --demo). */
  inputs: string[];
  /** The stages this run selected, in order. */
  selected: readonly PipelineStage[];
  /** How each stage of this run ended so far. */
  outcomes: Map<PipelineStage, "succeeded" | "skipped">;
}

export interface StepResult {
  rows?: number;
  costTotals?: Record<string, string>;
  detail?: Record<string, unknown>;
}

export interface PipelineStep {
  /** Why the stage has nothing to do in this run (recorded as skipped, not an error). */
  idle?(ctx: StepContext): Promise<string | undefined>;
  /** sha256 of everything the stage reads; undefined: it runs every time. */
  fingerprint(ctx: StepContext): Promise<string | undefined>;
  outputsExist(ctx: StepContext): Promise<boolean>;
  run(ctx: StepContext): Promise<StepResult>;
}

/** A URI (s3://, azblob://, bq:// …): its files are seen only by fetching them. */
export const isRemote = (target: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(target);

/** The dbt project: what the models build from (the price catalogue is its seeds). */
const PROJECT = ["dbt_project.yml", "models", "macros", "seeds", "tests"];

const generate: PipelineStep = {
  async fingerprint({ config }) {
    return fingerprint({ v: CODE_VERSION, generate: config.generate, estate: config.paths.estate });
  },
  async outputsExist({ config }) {
    return existsSync(path.join(config.paths.estate, "truth.json"));
  },
  async run({ config, progress }) {
    const { generateEstate } = await import("./estate-generator/generate.ts");
    const g = config.generate;
    await generateEstate(
      { seed: g.seed, resources: g.resources, days: g.days, endDate: g.endDate },
      config.paths.estate,
      progress,
    );
    return { detail: { estate: config.paths.estate, resources: g.resources, days: g.days } };
  },
};

const ingest: PipelineStep = {
  async idle({ inputs }) {
    return inputs.length
      ? undefined
      : "no sources: pass export paths, or list them in pipeline.sources of the config";
  },
  async fingerprint({ inputs }) {
    // Already loaded files are skipped by their sha256 anyway; a remote listing costs a fetch.
    if (inputs.some(isRemote)) return undefined;
    return fingerprint({ v: CODE_VERSION, files: fileStats(inputs) });
  },
  async outputsExist({ warehouse }) {
    return (await loadedFiles(warehouse)) > 0;
  },
  async run({ warehouse, config, inputs, progress }) {
    const [before] = await warehouse.all<{ id: string }>(
      "select coalesce(max(load_id), 0)::varchar as id from ops.loads",
    );
    const results = await ingestStage(warehouse, config, inputs, {}, progress);
    const count = (status: string) => results.filter((r) => r.status === status).length;
    const landed = results.filter((r) => r.status === "loaded" || r.status === "replaced");
    const totals = await warehouse.all<{ currency: string; total: string }>(
      `select e.key as currency, sum((e.value ->> '$')::decimal(38, 10))::varchar as total
       from ops.loads l, json_each(l.cost_totals) e
       where l.load_id > $1::bigint and l.status in ('loaded', 'replaced') group by 1 order by 1`,
      [before!.id],
    );
    return {
      rows: landed.reduce((sum, r) => sum + r.rows, 0),
      costTotals: Object.fromEntries(totals.map((t) => [t.currency, t.total])),
      detail: {
        files: results.length,
        loaded: count("loaded"),
        replaced: count("replaced"),
        skipped: count("skipped"),
        failed: count("failed"),
      },
    };
  },
};

const models: PipelineStep = {
  async fingerprint({ warehouse, config }) {
    const { modelVars } = await import("../core/config.ts");
    return fingerprint({
      v: CODE_VERSION,
      parts: await rowsDigest(
        warehouse,
        "select load_id, raw_table, billing_account, billing_period, lake_file, superseded_by, is_final from ops.load_parts",
      ),
      loads: await rowsDigest(
        warehouse,
        "select load_id from ops.loads where status in ('loaded', 'replaced')",
      ),
      project: contentHash(PROJECT),
      vars: modelVars(config),
      marts: config.paths.marts,
    });
  },
  async outputsExist({ warehouse }) {
    const marts = readdirSync(shippedFile("models", "marts"))
      .filter((f) => f.endsWith(".sql"))
      .map((f) => f.slice(0, -4));
    for (const mart of marts) if (!(await warehouse.tableExists("marts", mart))) return false;
    return true;
  },
  async run({ warehouse, config, progress }) {
    const build = await modelsStage(warehouse, config, { runModels: true, runTests: true }, progress);
    if (build.failed)
      throw new CheckFailedError(
        `models: ${build.failed} models or tests failed (see target/run_results.json)`,
      );
    const totals = await warehouse.all<{ currency: string; total: string; n: string }>(
      `select currency, sum(billed_cost)::varchar as total, count(*)::varchar as n
       from marts.cost_daily group by 1 order by 1`,
    );
    return {
      rows: totals.reduce((sum, t) => sum + Number(t.n), 0),
      costTotals: Object.fromEntries(totals.map((t) => [t.currency, t.total])),
      detail: { nodes: build.results.length },
    };
  },
};

const ml: PipelineStep = {
  async fingerprint({ warehouse, config }) {
    return fingerprint({
      v: CODE_VERSION,
      models: await outputState(warehouse, "models"),
      ml: config.ml,
      jobs: JOB_ORDER,
    });
  },
  async outputsExist({ warehouse }) {
    const [row] = await warehouse.all<{ n: number }>(
      "select count(distinct job)::integer as n from ml.model_runs",
    );
    return row!.n >= JOB_ORDER.length;
  },
  async run({ warehouse, config, progress }) {
    // Forecasts, anomalies and utilization predictions (the recommendations' risk reads them).
    const results = await mlStage(warehouse, config, progress, JOB_ORDER);
    return {
      rows: results.reduce((sum, r) => sum + r.rows, 0),
      detail: { jobs: results.map(({ job, rows, summary }) => ({ job, rows, summary })) },
    };
  },
};

const recommend: PipelineStep = {
  async fingerprint({ warehouse, config }) {
    return fingerprint({
      v: CODE_VERSION,
      models: await outputState(warehouse, "models"),
      ml: await outputState(warehouse, "ml"),
      recommend: config.recommend,
      approvals: config.approvals,
      dismissed: await rowsDigest(
        warehouse,
        "select * from ops.recommendation_history where status = 'dismissed'",
      ),
    });
  },
  async outputsExist({ warehouse, config }) {
    return (
      (await warehouse.tableExists("marts", "recommendations")) &&
      existsSync(await approvalTableOf(warehouse, config))
    );
  },
  async run({ warehouse, config, progress, selected }) {
    // Recommendations, their history and the approval table; the snapshots follow in their own
    // stage (or here, when the run stops before it).
    const result = await recommendStage(warehouse, config, progress, {
      detectorsBuilt: selected.includes("models"),
      snapshots: !selected.includes("snapshot"),
    });
    const savings = await warehouse.all<{ currency: string; monthly: string }>(
      "select currency, sum(estimated_monthly_savings)::varchar as monthly from marts.recommendations where status = 'open' group by 1 order by 1",
    );
    return {
      rows: result.recommendations,
      costTotals: Object.fromEntries(savings.map((s) => [s.currency, s.monthly])),
      detail: { history: result.history, approvalTable: result.approvalTable },
    };
  },
};

const actions: PipelineStep = {
  // Never skipped: what is due depends on the clock, and approvals arrive at any time.
  async fingerprint() {
    return undefined;
  },
  async outputsExist() {
    return true;
  },
  async run({ warehouse, config, progress, demoActions, selected, outcomes }) {
    const { actionsStage } = await import("./actions-stage.ts");
    const result = await actionsStage(warehouse, config, progress, { demo: demoActions });
    const realized = await modelsStage(
      warehouse,
      config,
      { runModels: true, runTests: true, select: ["realized_savings"] },
      progress,
    );
    if (realized.failed) throw new CheckFailedError("models: realized_savings or its tests failed");
    // Escalations are due by the clock; recommend sends them when it writes the approval table.
    if (selected.includes("recommend") && outcomes.get("recommend") === "skipped") {
      const { escalateWaiting } = await import("../actions/approvals/escalate.ts");
      await escalateWaiting(warehouse, config);
    }
    return {
      rows: Object.values(result.states).reduce((sum, n) => sum + n, 0),
      detail: { ...result },
    };
  },
};

const snapshot: PipelineStep = {
  async fingerprint({ warehouse, config }) {
    // What the snapshots copy and the report pages read; the run ledgers it also copies
    // (pipeline runs, executor runs that did nothing) would change it every run.
    const ops = (query: string) => rowsDigest(warehouse, query);
    return fingerprint({
      v: CODE_VERSION,
      marts: await schemaDigest(warehouse, "marts"),
      ml: await schemaDigest(warehouse, "ml"),
      loads: await ops("select * from ops.loads where status <> 'skipped'"),
      history: await ops("select * from ops.recommendation_history"),
      actions: await ops("select * from ops.actions"),
      executorRuns: await ops(
        // Every run plans the approved rows again (and skips those done): what it started, judged
        // or recovered is what is new.
        `select * from ops.action_runs where coalesce(started, 0) + coalesce(verified, 0)
           + coalesce(recovered, 0) > 0 or outcome in ('failed', 'partial')`,
      ),
      approvals: await ops("select * from ops.approvals"),
      queue: await ops("select * from ops.approval_queue"),
      approvalRules: config.approvals,
      // External marts (focus_costs, cost_daily) are their Parquet folders, not tables.
      external: fileStats(
        (
          await warehouse.all<{ name: string }>(
            "select view_name as name from duckdb_views() where schema_name = 'marts' order by 1",
          )
        )
          .map((v) => path.join(config.paths.marts, v.name))
          .filter((dir) => existsSync(dir)),
      ),
      dir: config.paths.marts,
    });
  },
  async outputsExist({ warehouse, config }) {
    const tables = await warehouse.all<{ name: string }>(
      "select table_name as name from duckdb_tables() where schema_name = 'marts'",
    );
    return tables.every((t) => existsSync(path.join(config.paths.marts, `${t.name}.parquet`)));
  },
  async run({ warehouse, config, progress }) {
    const files = await snapshotStage(warehouse, config, progress);
    return { rows: files.length, detail: { dir: config.paths.marts } };
  },
};

const report: PipelineStep = {
  async fingerprint({ config }) {
    return fingerprint({
      v: CODE_VERSION,
      reports: config.reports,
      snapshots: fileStats([config.paths.marts]),
      pages: contentHash(["reports/src"], (name) => name === ".observablehq"),
      site: config.paths.site,
    });
  },
  async outputsExist({ config }) {
    return existsSync(siteIndex(config));
  },
  async run({ config, progress }) {
    return { detail: { site: await reportStage(config, config.paths.site, progress) } };
  },
};

export const PIPELINE_STEPS: Record<PipelineStage, PipelineStep> = {
  generate,
  ingest,
  models,
  ml,
  recommend,
  actions,
  snapshot,
  report,
};

/** Loads that landed rows: a warehouse with none cannot skip ingest. */
export async function loadedFiles(warehouse: Warehouse): Promise<number> {
  const [row] = await warehouse.all<{ n: number }>(
    "select count(*)::integer as n from ops.loads where status in ('loaded', 'replaced')",
  );
  return row!.n;
}

/** The approval table the last recommend wrote (beside the usual file when that one held decisions). */
export async function approvalTableOf(warehouse: Warehouse, config: Config): Promise<string> {
  const last = await lastExecution(warehouse, "recommend");
  const file = last?.status === "succeeded" ? last.detail?.approvalTable : undefined;
  return typeof file === "string" ? file : path.join(config.paths.exports, "approvals.csv");
}

export const siteIndex = (config: Config) => path.join(config.paths.site, "index.html");
