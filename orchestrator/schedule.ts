/**
 * The pipeline's schedules (config pipeline.schedules), run by node-cron inside `cco serve`.
 * STUB: the pipeline helper replaces this with the real implementation.
 */
import type { Config } from "../core/config.ts";
import type { Progress } from "../core/log.ts";
import type { Warehouse } from "../core/warehouse/warehouse.ts";
import type { PipelineStepRecord, RunSummary } from "./pipeline.ts";

export interface ScheduledRun {
  name: string;
  cron: string;
  timezone: string;
  stages: string[];
  /** Next times it fires, earliest first. */
  next: Date[];
}

/** Each schedule's next `count` times, without starting anything (`cco schedule list`). */
export function listSchedules(_config: Config, _count = 3, _from = new Date()): ScheduledRun[] {
  throw new Error("not built yet");
}

export interface PipelineScheduler {
  stop(): Promise<void>;
  /** Waits for a run in progress to finish its current step. */
  drain(): Promise<void>;
}

export async function startPipelineSchedules(
  _warehouse: Warehouse,
  _config: Config,
  _options: {
    progress: Progress;
    onStep?: (step: PipelineStepRecord) => void;
    onRun?: (summary: RunSummary) => void;
    onError?: (error: unknown) => void;
  },
): Promise<PipelineScheduler> {
  throw new Error("not built yet");
}
