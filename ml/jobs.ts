/**
 * The ML jobs behind `cco ml` and the pipeline's ML stage, one folder each (ml/forecast,
 * ml/anomalies, ml/utilization), each behind the same small interface: run it (reading the
 * marts, writing its ml.* tables, recording itself in ml.model_runs) and evaluate it against
 * its targets. A job's module loads only when it runs.
 */
import type { Config } from "../core/config.ts";
import type { Progress } from "../core/log.ts";
import type { Warehouse } from "../core/warehouse/warehouse.ts";

export type JobName = "forecast" | "anomalies" | "utilization";

/** Anomalies read the forecasts' intervals, so forecast runs first. */
export const JOB_ORDER: JobName[] = ["forecast", "anomalies", "utilization"];

export interface JobResult {
  job: JobName;
  /** Rows written to the job's main table. */
  rows: number;
  /** One line for people: what was written and how well it did. */
  summary: string;
  /** The run's headline figures (also in ml.model_runs.metrics). */
  metrics: Record<string, number | string | null>;
}

/** One target an evaluation checks, e.g. "forecast MAPE vs seasonal naive: -34% (target <= -20%)". */
export interface TargetCheck {
  name: string;
  value: number | null;
  target: string;
  met: boolean;
}

export interface JobEvaluation {
  job: JobName;
  checks: TargetCheck[];
  /** The job's table of scores for people (backtest per scope, anomalies found, errors). */
  table: string;
}

/** A planted truth (the generator's truth.json), for the evaluations that need one. */
export type MlTruth = Record<string, unknown>;

export interface Job {
  run(warehouse: Warehouse, config: Config, progress: Progress): Promise<JobResult>;
  evaluate(warehouse: Warehouse, config: Config, truth: MlTruth | undefined): Promise<JobEvaluation>;
}

export async function loadJob(name: JobName): Promise<Job> {
  switch (name) {
    case "forecast":
      return import("./forecast/index.ts");
    case "anomalies":
      return import("./anomalies/index.ts");
    case "utilization":
      return import("./utilization/index.ts");
  }
}
