/**
 * The pipeline's ledger: ops.pipeline_runs (one row per run: how it was started, what it
 * selected, the run it resumed, its outcome) and ops.pipeline_steps (one row per stage of a
 * run: the fingerprint of its inputs, rows, cost totals, attempts, outcome). A stage is skipped
 * by comparing its fingerprint with its last execution's here.
 */
import type { PipelineStage } from "../core/pipeline-settings.ts";
import type { Warehouse } from "../core/warehouse/warehouse.ts";

export type Trigger = "cli" | "schedule" | "api";
export type StepStatus = "running" | "succeeded" | "failed" | "skipped";

/** What a run selected, kept so that `cco run --resume` repeats it. */
export interface RunSelection {
  stages: PipelineStage[];
  from?: string;
  to?: string;
  only?: string[];
  force: boolean;
  demo: boolean;
  demoActions: boolean;
  /** Ingest targets as given (paths made absolute, URIs as they are); empty: config pipeline.sources. */
  inputs: string[];
}

export interface RunRow {
  run_id: string;
  command: string;
  status: "running" | "succeeded" | "failed";
  started_at: string;
  finished_at: string | null;
  error: string | null;
  trigger: Trigger | null;
  selection: RunSelection | null;
  resumed_from: string | null;
}

export interface StepRow {
  run_id: string;
  step: string;
  status: StepStatus;
  fingerprint: string | null;
  started_at: string;
  finished_at: string | null;
  attempts: number;
  detail: Record<string, unknown> | null;
  error: string | null;
}

const ABANDONED = "abandoned: the process ended before the run finished";

/**
 * Runs and steps left `running` by a process that died: failed. Safe because only one process
 * writes a warehouse (DuckDB's own rule, and the lock) and runs in a process take turns.
 */
export async function closeAbandoned(warehouse: Warehouse): Promise<number> {
  const now = new Date().toISOString();
  await warehouse.db
    .updateTable("ops.pipeline_steps")
    .set({ status: "failed", finished_at: now, error: ABANDONED })
    .where("status", "=", "running")
    .execute();
  const runs = await warehouse.db
    .updateTable("ops.pipeline_runs")
    .set({ status: "failed", finished_at: now, error: ABANDONED })
    .where("status", "=", "running")
    .executeTakeFirst();
  return Number(runs.numUpdatedRows ?? 0);
}

export async function startRun(
  warehouse: Warehouse,
  run: { command: string; trigger: Trigger; selection: RunSelection; resumedFrom?: string },
): Promise<string> {
  const row = await warehouse.db
    .insertInto("ops.pipeline_runs")
    .values({
      command: run.command,
      started_at: new Date().toISOString(),
      status: "running",
      trigger: run.trigger,
      selection: JSON.stringify(run.selection),
      resumed_from: run.resumedFrom ?? null,
    })
    .returning("run_id")
    .executeTakeFirstOrThrow();
  return String(row.run_id);
}

export async function finishRun(
  warehouse: Warehouse,
  runId: string,
  outcome: { status: "succeeded" | "failed"; steps: unknown; error?: string },
): Promise<void> {
  await warehouse.db
    .updateTable("ops.pipeline_runs")
    .set({
      status: outcome.status,
      finished_at: new Date().toISOString(),
      steps: JSON.stringify(outcome.steps),
      error: outcome.error ?? null,
    })
    .where("run_id", "=", runId)
    .execute();
}

export async function startStep(
  warehouse: Warehouse,
  step: { runId: string; step: PipelineStage; startedAt: string; fingerprint?: string },
): Promise<void> {
  await warehouse.db
    .insertInto("ops.pipeline_steps")
    .values({
      run_id: step.runId,
      step: step.step,
      started_at: step.startedAt,
      status: "running",
      fingerprint: step.fingerprint ?? null,
    })
    .execute();
}

export interface StepOutcome {
  status: "succeeded" | "failed" | "skipped";
  fingerprint?: string;
  rows?: number;
  costTotals?: Record<string, string>;
  attempts?: number;
  detail?: Record<string, unknown>;
  error?: string;
}

export async function finishStep(
  warehouse: Warehouse,
  runId: string,
  step: PipelineStage,
  outcome: StepOutcome,
): Promise<void> {
  await warehouse.db
    .updateTable("ops.pipeline_steps")
    .set({
      status: outcome.status,
      finished_at: new Date().toISOString(),
      fingerprint: outcome.fingerprint ?? null,
      rows: outcome.rows ?? null,
      cost_totals: outcome.costTotals ? JSON.stringify(outcome.costTotals) : null,
      attempts: outcome.attempts ?? 1,
      detail: outcome.detail ? JSON.stringify(outcome.detail) : null,
      error: outcome.error ?? null,
    })
    .where("run_id", "=", runId)
    .where("step", "=", step)
    .execute();
}

/** The stage's last execution (succeeded or failed) on this warehouse, skips left out. */
export async function lastExecution(warehouse: Warehouse, step: PipelineStage): Promise<StepRow | undefined> {
  const [row] = await warehouse.all<Record<string, unknown>>(
    `select * from ops.pipeline_steps where step = $1 and status in ('succeeded', 'failed')
     order by started_at desc, run_id desc limit 1`,
    [step],
  );
  return row ? toStep(row) : undefined;
}

/**
 * What a stage's outputs currently reflect, for the stages that read them: its last
 * execution's fingerprint; after a failure, that failure (its outputs may be half written).
 */
export async function outputState(warehouse: Warehouse, step: PipelineStage): Promise<string> {
  const last = await lastExecution(warehouse, step);
  if (!last) return "never run";
  return last.status === "failed" ? `failed in run ${last.run_id}` : (last.fingerprint ?? "no fingerprint");
}

export async function lastRun(warehouse: Warehouse): Promise<RunRow | undefined> {
  const [row] = await warehouse.all<Record<string, unknown>>(
    "select * from ops.pipeline_runs order by run_id desc limit 1",
  );
  if (!row) return undefined;
  return {
    ...(row as unknown as RunRow),
    run_id: String(row.run_id),
    resumed_from: row.resumed_from == null ? null : String(row.resumed_from),
    selection: parseJson(row.selection) as RunSelection | null,
  };
}

export async function stepsOf(warehouse: Warehouse, runId: string): Promise<StepRow[]> {
  const rows = await warehouse.all<Record<string, unknown>>(
    "select * from ops.pipeline_steps where run_id = $1 order by started_at",
    [runId],
  );
  return rows.map(toStep);
}

function toStep(row: Record<string, unknown>): StepRow {
  return {
    ...(row as unknown as StepRow),
    run_id: String(row.run_id),
    attempts: Number(row.attempts),
    detail: parseJson(row.detail) as Record<string, unknown> | null,
  };
}

function parseJson(value: unknown): unknown {
  if (value == null) return null;
  return typeof value === "string" ? JSON.parse(value) : value;
}
