/**
 * The executor on a schedule, for the service: node-cron with the time zone config names
 * explicitly (actions.schedule) and noOverlap, so a slow run is never joined by the next one.
 * Each tick is one runExecutor(trigger: schedule) in config's mode.
 */
import cron, { type ScheduledTask } from "node-cron";
import type { Config } from "../../core/config.ts";
import { ConfigError } from "../../core/errors.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";
import { type RunOptions, type RunSummary, runExecutor } from "./run.ts";

export interface ExecutorSchedule {
  task: ScheduledTask;
  stop(): Promise<void>;
}

export async function startExecutorSchedule(
  warehouse: Warehouse,
  config: Config,
  options: Omit<RunOptions, "trigger" | "now"> & {
    onRun?: (summary: RunSummary) => void;
    onError?: (error: unknown) => void;
  } = {},
): Promise<ExecutorSchedule> {
  const { cron: expression, timezone } = config.actions.schedule;
  if (!cron.validate(expression)) {
    throw new ConfigError(config.source, "actions.schedule.cron", `${expression} is not a cron expression`);
  }
  const { onRun, onError, ...runOptions } = options;
  const task = cron.createTask(
    expression,
    async () => {
      try {
        onRun?.(await runExecutor(warehouse, config, { ...runOptions, trigger: "schedule" }));
      } catch (error) {
        onError?.(error);
      }
    },
    { name: "cco-executor", timezone, noOverlap: true },
  );
  await task.start();
  return {
    task,
    stop: async () => {
      await task.stop();
      await task.destroy();
    },
  };
}
