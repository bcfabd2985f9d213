/**
 * `cco run` and the service's scheduled runs: the stages of PIPELINE_STAGES in order,
 * generate (demo only) -> ingest -> models -> ml -> recommend -> actions -> snapshot -> report.
 * Actions run before the snapshot and the report so that both show what this run did.
 *
 * Each run is a row of ops.pipeline_runs and each stage a row of ops.pipeline_steps. A stage
 * whose inputs' fingerprint equals its last execution's, and whose outputs are still there, is
 * recorded as skipped: a run with nothing new takes seconds. Transient errors are retried with
 * backoff; a failed (or interrupted) run is resumed from its failed stage with `resume`.
 */
import path from "node:path";
import type { Config } from "../core/config.ts";
import { CcoError, UsageError } from "../core/errors.ts";
import type { Progress } from "../core/log.ts";
import { PIPELINE_STAGES, type PipelineStage } from "../core/pipeline-settings.ts";
import type { Warehouse } from "../core/warehouse/warehouse.ts";
import type { ActionsStageResult } from "./actions-stage.ts";
import {
  approvalTableOf,
  isRemote,
  loadedFiles,
  PIPELINE_STEPS,
  siteIndex,
  type StepContext,
} from "./pipeline-steps.ts";
import { withRetry } from "./retry.ts";
import {
  closeAbandoned,
  finishRun,
  finishStep,
  lastExecution,
  lastRun,
  type RunSelection,
  startRun,
  startStep,
  stepsOf,
  type Trigger,
} from "./run-ledger.ts";

export interface RunStep {
  name: PipelineStage;
  seconds: number;
  status: "succeeded" | "skipped";
  /** Why it was skipped. */
  reason?: string;
  attempts: number;
}

export interface RunSummary {
  runId: string;
  trigger: Trigger;
  /** The failed run this one resumed. */
  resumedFrom?: string;
  spend: { provider: string; currency: string; last_30_days: string }[];
  recommendations: { count: number; savings: { currency: string; monthly: string }[] };
  site: string;
  approvalTable: string;
  warehouse: string;
  marts: string;
  steps: RunStep[];
  actions?: ActionsStageResult;
}

/** One stage of a run as ops.pipeline_steps records it, as onStep sees it start and end. */
export interface PipelineStepRecord {
  runId: string;
  step: PipelineStage;
  status: "running" | "succeeded" | "failed" | "skipped";
  trigger: Trigger;
  seconds?: number;
  rows?: number;
  costTotals?: Record<string, string>;
  attempts?: number;
  fingerprint?: string;
  /** Why it was skipped. */
  reason?: string;
  error?: string;
}

export interface PipelineOptions {
  /** Generate the demo estate first (the generate stage) and ingest it. */
  demo?: boolean;
  /** Export paths and URIs to ingest; none: config pipeline.sources. */
  inputs?: string[];
  /** Approve and execute the demo's rows in the sandbox cloud (default: demo). */
  demoActions?: boolean;
  from?: string;
  to?: string;
  only?: string[];
  /** Run every selected stage, unchanged inputs or not. */
  force?: boolean;
  /** Continue the last run, which failed, from its failed stage with its selection and inputs. */
  resume?: boolean;
  trigger?: Trigger;
  /** What ops.pipeline_runs.command says; default from the trigger ("run", "run --demo"). */
  command?: string;
  /** Called when each stage starts and ends (metrics, logs). */
  onStep?: (step: PipelineStepRecord) => void;
  /** Checked between stages: once aborted, the run stops after its current stage, recorded as failed. */
  signal?: AbortSignal;
  /** The wait between retries (tests). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The run stopped between stages on a signal (exit 130 for SIGINT, 143 for SIGTERM). */
export class PipelineInterruptedError extends CcoError {
  override readonly exitCode: number;
  constructor(
    /** Undefined: stopped before it started (nothing recorded, nothing to resume). */
    readonly runId: string | undefined,
    readonly reason: string,
  ) {
    super(
      runId
        ? `run ${runId} interrupted (${reason}) after its current stage; cco run --resume continues it`
        : `interrupted (${reason}) before the run started; nothing was done`,
    );
    this.exitCode = reason === "SIGINT" ? 130 : 143;
  }
}

/** Runs of one warehouse in this process take turns (the scheduler's, the API's). */
const inProgress = new Map<string, Promise<unknown>>();

export function pipelineRunning(warehouse: Warehouse): boolean {
  return inProgress.has(warehouse.file);
}

export async function runPipeline(
  warehouse: Warehouse,
  config: Config,
  options: PipelineOptions,
  progress: Progress,
): Promise<RunSummary> {
  const previous = inProgress.get(warehouse.file) ?? Promise.resolve();
  const current = previous.catch(() => undefined).then(() => run(warehouse, config, options, progress));
  inProgress.set(warehouse.file, current);
  try {
    return await current;
  } finally {
    if (inProgress.get(warehouse.file) === current) inProgress.delete(warehouse.file);
  }
}

/** The stages a run selects, in pipeline order; a bad name or combination is a usage error. */
export function selectStages(options: {
  demo?: boolean;
  from?: string;
  to?: string;
  only?: string[];
}): PipelineStage[] {
  const available = PIPELINE_STAGES.filter((s) => s !== "generate" || options.demo);
  const check = (name: string, option: string): PipelineStage => {
    if (!(PIPELINE_STAGES as readonly string[]).includes(name))
      throw new UsageError(`${option}: unknown stage '${name}'; one of ${PIPELINE_STAGES.join(", ")}`);
    if (name === "generate" && !options.demo)
      throw new UsageError(`${option}: the generate stage runs with --demo only`);
    return name as PipelineStage;
  };
  if (options.only?.length) {
    if (options.from || options.to) throw new UsageError("--only cannot be combined with --from or --to");
    const only = new Set(options.only.map((s) => check(s, "--only")));
    return available.filter((s) => only.has(s));
  }
  const from = available.indexOf(options.from ? check(options.from, "--from") : available[0]!);
  const to = available.indexOf(options.to ? check(options.to, "--to") : available.at(-1)!);
  if (from > to) throw new UsageError(`--from ${options.from} comes after --to ${options.to}`);
  return available.slice(from, to + 1);
}

async function run(
  warehouse: Warehouse,
  config: Config,
  options: PipelineOptions,
  progress: Progress,
): Promise<RunSummary> {
  const trigger = options.trigger ?? "cli";
  // Queued behind another run of this warehouse and stopped meanwhile: nothing to record.
  if (options.signal?.aborted) throw new PipelineInterruptedError(undefined, String(options.signal.reason));
  const abandoned = await closeAbandoned(warehouse);
  if (abandoned) progress.warn(`${abandoned} earlier run(s) ended without finishing; recorded as failed`);
  const { selection, stages, resumedFrom } = options.resume
    ? await resumeSelection(warehouse, options)
    : newSelection(options);
  if (options.force) selection.force = true;
  // As given (messages name them so); a resume has only the absolute ones it recorded.
  const inputs = ingestTargets(config, {
    ...selection,
    inputs: options.resume ? selection.inputs : (options.inputs ?? []),
  });
  if (stages.includes("ingest") && !inputs.length && !(await loadedFiles(warehouse))) {
    throw new UsageError(
      "nothing to ingest: pass export paths, list them in pipeline.sources of the config, or use --demo",
    );
  }
  const runId = await startRun(warehouse, {
    command: options.command ?? (trigger === "cli" ? (selection.demo ? "run --demo" : "run") : trigger),
    trigger,
    selection,
    resumedFrom,
  });
  const ctx: StepContext = {
    warehouse,
    config,
    progress,
    demo: selection.demo,
    demoActions: selection.demoActions,
    inputs,
    selected: selection.stages,
    outcomes: new Map(),
  };
  const emit = (record: Omit<PipelineStepRecord, "runId" | "trigger">) => {
    try {
      options.onStep?.({ runId, trigger, ...record });
    } catch (error) {
      progress.warn(`onStep: ${(error as Error).message}`);
    }
  };
  const steps: RunStep[] = [];
  let actions: ActionsStageResult | undefined;
  try {
    for (const stage of stages) {
      if (options.signal?.aborted) throw new PipelineInterruptedError(runId, String(options.signal.reason));
      const step = await runStep(stage, ctx, runId, { ...options, force: selection.force }, config, emit);
      steps.push(step.summary);
      if (stage === "actions" && step.detail) actions = step.detail as unknown as ActionsStageResult;
    }
    const summary = await summarize(warehouse, config, runId, trigger, resumedFrom, steps, actions);
    await finishRun(warehouse, runId, { status: "succeeded", steps: ledgerSteps(steps) });
    return summary;
  } catch (error) {
    const message =
      error instanceof PipelineInterruptedError
        ? `interrupted (${error.reason})`
        : String((error as Error).message);
    await finishRun(warehouse, runId, { status: "failed", steps: ledgerSteps(steps), error: message });
    if (!(error instanceof PipelineInterruptedError))
      progress.info(`run ${runId} failed; cco run --resume continues from the failed stage`);
    throw error;
  }
}

async function runStep(
  stage: PipelineStage,
  ctx: StepContext,
  runId: string,
  options: PipelineOptions,
  config: Config,
  emit: (record: Omit<PipelineStepRecord, "runId" | "trigger">) => void,
): Promise<{ summary: RunStep; detail?: Record<string, unknown> }> {
  const { warehouse, progress } = ctx;
  const step = PIPELINE_STEPS[stage];
  const t0 = performance.now();
  const seconds = () => Math.round(performance.now() - t0) / 1000;
  const startedAt = new Date().toISOString();
  emit({ step: stage, status: "running" });
  const idle = await step.idle?.(ctx);
  const fingerprint = idle ? undefined : await step.fingerprint(ctx);
  let reason = idle;
  if (!reason && fingerprint && !options.force) {
    const last = await lastExecution(warehouse, stage);
    if (last?.status === "succeeded" && last.fingerprint === fingerprint && (await step.outputsExist(ctx)))
      reason = `inputs unchanged since run ${last.run_id}`;
  }
  await startStep(warehouse, { runId, step: stage, startedAt, fingerprint });
  if (reason) {
    await finishStep(warehouse, runId, stage, {
      status: "skipped",
      fingerprint,
      attempts: 0,
      detail: { reason },
    });
    ctx.outcomes.set(stage, "skipped");
    progress.info(`- ${stage}: skipped (${reason})`);
    emit({ step: stage, status: "skipped", seconds: seconds(), reason, fingerprint, attempts: 0 });
    return { summary: { name: stage, seconds: seconds(), status: "skipped", reason, attempts: 0 } };
  }
  let attempts = 0;
  try {
    const result = await withRetry(() => step.run(ctx), {
      attempts: config.pipeline.retry.attempts,
      baseDelayMs: config.pipeline.retry.base_delay_ms,
      signal: options.signal,
      sleep: options.sleep,
      onAttempt: (n) => {
        attempts = n;
      },
      onRetry: (error, n, delay) =>
        progress.warn(`${stage}: attempt ${n} failed (${(error as Error).message}); retrying in ${delay} ms`),
    });
    await finishStep(warehouse, runId, stage, { status: "succeeded", fingerprint, attempts, ...result });
    ctx.outcomes.set(stage, "succeeded");
    emit({
      step: stage,
      status: "succeeded",
      seconds: seconds(),
      rows: result.rows,
      costTotals: result.costTotals,
      attempts,
      fingerprint,
    });
    return {
      summary: { name: stage, seconds: seconds(), status: "succeeded", attempts },
      detail: result.detail,
    };
  } catch (error) {
    const message = String((error as Error).message);
    await finishStep(warehouse, runId, stage, { status: "failed", fingerprint, attempts, error: message });
    emit({ step: stage, status: "failed", seconds: seconds(), attempts, fingerprint, error: message });
    throw error;
  }
}

function newSelection(options: PipelineOptions): {
  selection: RunSelection;
  stages: PipelineStage[];
  resumedFrom?: undefined;
} {
  const demo = Boolean(options.demo);
  const stages = selectStages({ demo, from: options.from, to: options.to, only: options.only });
  return {
    stages,
    selection: {
      stages,
      from: options.from,
      to: options.to,
      only: options.only,
      force: Boolean(options.force),
      demo,
      demoActions: options.demoActions ?? demo,
      // Absolute, so that a resume from another folder ingests the same files.
      inputs: (options.inputs ?? []).map((p) => (isRemote(p) ? p : path.resolve(p))),
    },
  };
}

/** The last run's selection from its first stage that did not finish (its failed one). */
async function resumeSelection(
  warehouse: Warehouse,
  options: PipelineOptions,
): Promise<{ selection: RunSelection; stages: PipelineStage[]; resumedFrom: string }> {
  if (options.inputs?.length || options.from || options.to || options.only?.length || options.demo)
    throw new UsageError(
      "--resume repeats the failed run's selection and inputs: give it no stages, paths or --demo",
    );
  const last = await lastRun(warehouse);
  if (!last) throw new UsageError("nothing to resume: no run is recorded on this warehouse");
  if (last.status !== "failed")
    throw new UsageError(`nothing to resume: the last run (${last.run_id}) ${last.status}`);
  if (!last.selection) throw new UsageError(`run ${last.run_id} recorded no selection to resume`);
  const done = new Set(
    (await stepsOf(warehouse, last.run_id))
      .filter((s) => s.status === "succeeded" || s.status === "skipped")
      .map((s) => s.step),
  );
  const stages = last.selection.stages.filter((s) => !done.has(s));
  const first = stages[0];
  const remaining = first ? last.selection.stages.slice(last.selection.stages.indexOf(first)) : [];
  return { selection: { ...last.selection, stages: remaining }, stages: remaining, resumedFrom: last.run_id };
}

/** What ingest loads: the paths given, else the config's sources; with --demo, the estate too. */
function ingestTargets(config: Config, selection: RunSelection): string[] {
  const sources = selection.inputs.length
    ? selection.inputs
    : selection.demo
      ? []
      : config.pipeline.sources.map((s) => (isRemote(s) ? s : path.resolve(config.root, s)));
  return selection.demo ? [...sources, config.paths.estate] : sources;
}

/** ops.pipeline_runs.steps, as it has been since the first runs: name, seconds, status. */
const ledgerSteps = (steps: RunStep[]) =>
  steps.map(({ name, seconds, status }) => ({ name, seconds, status }));

async function summarize(
  warehouse: Warehouse,
  config: Config,
  runId: string,
  trigger: Trigger,
  resumedFrom: string | undefined,
  steps: RunStep[],
  actions: ActionsStageResult | undefined,
): Promise<RunSummary> {
  const spend = (await warehouse.tableExists("marts", "cost_daily"))
    ? await warehouse.all<RunSummary["spend"][number]>(
        `select provider, currency, round(sum(effective_cost), 2)::varchar as last_30_days from marts.cost_daily
         where charge_date > (select max(charge_date) from marts.cost_daily) - 30 group by all order by provider, currency`,
      )
    : [];
  const savings = (await warehouse.tableExists("marts", "recommendations"))
    ? await warehouse.all<{ currency: string; monthly: string; n: string }>(
        "select currency, sum(estimated_monthly_savings)::varchar as monthly, count(*)::varchar as n from marts.recommendations where status = 'open' group by 1 order by 1",
      )
    : [];
  return {
    runId,
    trigger,
    ...(resumedFrom ? { resumedFrom } : {}),
    spend,
    recommendations: {
      count: savings.reduce((s, r) => s + Number(r.n), 0),
      savings: savings.map(({ currency, monthly }) => ({ currency, monthly })),
    },
    site: siteIndex(config),
    approvalTable: await approvalTableOf(warehouse, config),
    warehouse: warehouse.file,
    marts: config.paths.marts,
    steps,
    ...(actions ? { actions } : {}),
  };
}
