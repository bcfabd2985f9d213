/**
 * The pipeline's schedules (config pipeline.schedules), run by node-cron inside `cco serve`:
 * each a cron expression in an explicit time zone and the stages it runs. Tasks never overlap
 * themselves (noOverlap) and runs of one warehouse take turns (runPipeline), so two schedules
 * firing together run one after the other. `cco schedule list` shows their next times.
 */
import cron, { type ScheduledTask } from "node-cron";
import type { Config } from "../core/config.ts";
import { ConfigError } from "../core/errors.ts";
import type { Progress } from "../core/log.ts";
import { PIPELINE_STAGES, type PipelineStage } from "../core/pipeline-settings.ts";
import type { Warehouse } from "../core/warehouse/warehouse.ts";
import { nextFireTimes } from "./cron-times.ts";
import type { PipelineStepRecord, RunSummary } from "./pipeline.ts";

export interface ScheduledRun {
  /** pipeline: a pipeline.schedules entry; executor: actions.schedule (the executor alone, in the service). */
  kind: "pipeline" | "executor";
  name: string;
  cron: string;
  timezone: string;
  stages: string[];
  /** Next times it fires, earliest first. */
  next: Date[];
}

/** A schedule's stages; default: every stage from ingest to report. */
function stagesOf(config: Config, name: string): PipelineStage[] {
  const stages = config.pipeline.schedules[name]?.stages ?? PIPELINE_STAGES.filter((s) => s !== "generate");
  if (stages.includes("generate"))
    throw new ConfigError(
      config.source,
      `pipeline.schedules.${name}.stages`,
      "generate makes the demo estate and runs with cco run --demo only",
    );
  return stages;
}

function checkCron(config: Config, key: string, expression: string): void {
  if (!cron.validate(expression))
    throw new ConfigError(config.source, key, `${expression} is not a cron expression`);
}

/** Each schedule's next `count` times, without starting anything (`cco schedule list`). */
export function listSchedules(config: Config, count = 3, from = new Date()): ScheduledRun[] {
  const runs: ScheduledRun[] = Object.entries(config.pipeline.schedules)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, s]) => {
      checkCron(config, `pipeline.schedules.${name}.cron`, s.cron);
      return {
        kind: "pipeline" as const,
        name,
        cron: s.cron,
        timezone: s.timezone,
        stages: stagesOf(config, name),
        next: nextFireTimes(s.cron, s.timezone, count, from),
      };
    });
  const executor = config.actions.schedule;
  checkCron(config, "actions.schedule.cron", executor.cron);
  runs.push({
    kind: "executor",
    name: "executor",
    cron: executor.cron,
    timezone: executor.timezone,
    stages: ["actions"],
    next: nextFireTimes(executor.cron, executor.timezone, count, from),
  });
  return runs;
}

export interface PipelineScheduler {
  /** No new runs; waits for runs in progress to finish all their stages. */
  stop(): Promise<void>;
  /** No new runs; a run in progress stops after its current stage (recorded as interrupted: resumable). */
  drain(): Promise<void>;
}

export async function startPipelineSchedules(
  warehouse: Warehouse,
  config: Config,
  options: {
    progress: Progress;
    onStep?: (step: PipelineStepRecord) => void;
    onRun?: (summary: RunSummary) => void;
    onError?: (error: unknown) => void;
  },
): Promise<PipelineScheduler> {
  const { runPipeline } = await import("./pipeline.ts");
  const schedules = Object.entries(config.pipeline.schedules).map(([name, s]) => {
    checkCron(config, `pipeline.schedules.${name}.cron`, s.cron);
    return { name, ...s, stages: stagesOf(config, name) };
  });
  const running = new Set<{ controller: AbortController; done: Promise<void> }>();
  let closed = false;
  const tasks: ScheduledTask[] = [];
  for (const s of schedules) {
    const task = cron.createTask(
      s.cron,
      async () => {
        if (closed) return;
        const controller = new AbortController();
        const done = runPipeline(
          warehouse,
          config,
          {
            only: s.stages,
            trigger: "schedule",
            command: `schedule ${s.name}`,
            onStep: options.onStep,
            signal: controller.signal,
          },
          options.progress,
        ).then(
          (summary) => options.onRun?.(summary),
          (error) =>
            options.onError ? options.onError(error) : options.progress.warn(`schedule ${s.name}: ${error}`),
        );
        const entry = { controller, done };
        running.add(entry);
        try {
          await done;
        } finally {
          running.delete(entry);
        }
      },
      { name: `cco-pipeline-${s.name}`, timezone: s.timezone, noOverlap: true },
    );
    await task.start();
    tasks.push(task);
  }
  const close = async (abort: boolean) => {
    closed = true;
    for (const task of tasks.splice(0)) {
      await task.stop();
      await task.destroy();
    }
    if (abort) for (const r of running) r.controller.abort("SIGTERM");
    await Promise.all([...running].map((r) => r.done));
  };
  return { stop: () => close(false), drain: () => close(true) };
}
