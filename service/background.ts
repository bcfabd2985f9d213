/**
 * The service's work besides answering requests: the executor on its schedule, the pipeline on
 * its schedules, pipeline runs and executor runs asked for through the API, and the notification
 * pump. One executor run at a time (a run from the API pauses the schedule while it runs), one
 * pipeline run at a time. stop() stops starting new work and waits for what is running: the
 * current pipeline step and the current executor run finish before the warehouse closes.
 */
import type { Logger } from "pino";
import type { Config } from "../core/config.ts";
import type { PipelineStage } from "../core/pipeline-settings.ts";
import type { Progress } from "../core/log.ts";
import type { Warehouse } from "../core/warehouse/warehouse.ts";
import type { ExecutorSchedule } from "../actions/executor/schedule.ts";
import type { RunSummary as ExecutorSummary } from "../actions/executor/run.ts";
import type { NotificationPump } from "../actions/notify/pump.ts";
import { type PipelineStepRecord, pipelineRunning, runPipeline } from "../orchestrator/pipeline.ts";
import type { PipelineScheduler } from "../orchestrator/schedule.ts";
import { ApiError } from "./http/errors.ts";
import type { Metrics } from "./observability.ts";

export interface RunRequest {
  from?: PipelineStage;
  to?: PipelineStage;
  only?: PipelineStage[];
  force?: boolean;
}

export interface Background {
  /** One executor run now (the API's plan and run); 409 while another runs. */
  runExecutor(mode: "dry_run" | "execute"): Promise<ExecutorSummary>;
  /** Start a pipeline run (its stages run after this returns); 409 while one runs. */
  startPipeline(request: RunRequest): void;
  pipelineRunning(): boolean;
  /** Stop starting work; wait for the current step and executor run. */
  stop(): Promise<void>;
}

/** Progress of background work as log lines (the service has no terminal to draw on). */
export function logProgress(logger: Logger): Progress {
  return {
    async step(label, work) {
      const started = performance.now();
      logger.debug({ step: label }, "started");
      const result = await work(() => undefined);
      logger.debug({ step: label, seconds: (performance.now() - started) / 1000 }, "done");
      return result;
    },
    info: (message) => logger.info(message),
    warn: (message) => logger.warn(message),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startBackground(
  warehouse: Warehouse,
  config: Config,
  logger: Logger,
  metrics: Metrics,
  /** onChange: the executor or the pipeline wrote (the read cache empties). */
  options: { schedules: boolean; onChange?: () => void },
): Promise<Background> {
  const changed = () => options.onChange?.();
  const progress = logProgress(logger);
  const onStep = (step: PipelineStepRecord) => {
    changed();
    const line = {
      run_id: step.runId,
      stage: step.step,
      status: step.status,
      seconds: step.seconds,
      rows: step.rows,
      attempts: step.attempts,
    };
    if (step.status === "failed") logger.error({ ...line, error: step.error }, "pipeline step failed");
    else logger.info(line, `pipeline step ${step.status}`);
    if (step.status === "running") return;
    if (step.seconds !== undefined)
      metrics.stageSeconds.observe({ stage: step.step, status: step.status }, step.seconds);
    if (step.rows !== undefined) metrics.stageRows.set({ stage: step.step }, step.rows);
    if (step.status === "failed") metrics.stageFailures.inc({ stage: step.step });
  };
  const onExecutorRun = (s: ExecutorSummary) => {
    changed();
    logger.info(
      {
        executor_run: s.run_id,
        mode: s.mode,
        trigger: s.trigger,
        started: s.started,
        verified: s.verified,
        outcome: s.outcome,
      },
      "executor run",
    );
  };

  let stopping = false;
  let executorSchedule: ExecutorSchedule | undefined;
  let scheduler: PipelineScheduler | undefined;
  let pump: NotificationPump | undefined;
  let apiExecutorRun: Promise<unknown> | undefined;
  let apiPipelineRun: Promise<unknown> | undefined;
  const abort = new AbortController();

  if (options.schedules) {
    const { startExecutorSchedule } = await import("../actions/executor/schedule.ts");
    executorSchedule = await startExecutorSchedule(warehouse, config, {
      onRun: onExecutorRun,
      onError: (error) => {
        changed();
        logger.error({ err: error }, "scheduled executor run failed");
      },
    });
    if (Object.keys(config.pipeline.schedules).length) {
      const { startPipelineSchedules } = await import("../orchestrator/schedule.ts");
      scheduler = await startPipelineSchedules(warehouse, config, {
        progress,
        onStep,
        onRun: (summary) =>
          logger.info({ run_id: summary.runId, trigger: summary.trigger }, "pipeline run done"),
        onError: (error) =>
          logger.error(
            { run_id: (error as { runId?: string }).runId, err: error },
            "scheduled pipeline run failed",
          ),
      });
    }
    if (config.notifications.channels.length) {
      const { startNotificationPump } = await import("../actions/notify/pump.ts");
      pump = startNotificationPump(warehouse, config, {
        onReport: (report) => logger.debug({ notifications: report }, "notifications delivered"),
      });
    }
  }

  const busyExecutor = () =>
    new ApiError("conflict", "an executor run is in progress: try again when it ends");

  return {
    runExecutor(mode) {
      if (stopping) throw new ApiError("unavailable", "the service is stopping");
      if (apiExecutorRun) throw busyExecutor();
      const task = executorSchedule?.task;
      const run = (async () => {
        // Hold the schedule while this run goes: two runs at once could start the same approval twice.
        await task?.stop();
        try {
          if (task?.isBusy()) throw busyExecutor();
          const { runExecutor } = await import("../actions/executor/run.ts");
          // The executor records who started a run; "api" is this service's word for it.
          const summary = await runExecutor(warehouse, config, { mode, trigger: "api" });
          onExecutorRun(summary);
          return summary;
        } finally {
          if (!stopping) await task?.start();
        }
      })();
      // The caller gets the run's outcome; this copy only marks it done (its failure is the caller's to report).
      apiExecutorRun = run
        .finally(() => {
          apiExecutorRun = undefined;
        })
        .catch(() => undefined);
      return run;
    },

    startPipeline(request) {
      if (stopping) throw new ApiError("unavailable", "the service is stopping");
      if (apiPipelineRun || pipelineRunning(warehouse))
        throw new ApiError("conflict", "a pipeline run is in progress");
      apiPipelineRun = (async () => {
        const summary = await runPipeline(
          warehouse,
          config,
          { ...request, trigger: "api", onStep, signal: abort.signal },
          progress,
        );
        logger.info({ run_id: summary.runId, trigger: summary.trigger }, "pipeline run done");
      })()
        .catch((error) =>
          logger.error(
            { run_id: (error as { runId?: string }).runId, err: error },
            "pipeline run from the API failed",
          ),
        )
        .finally(() => {
          apiPipelineRun = undefined;
          changed();
        });
    },

    pipelineRunning: () => Boolean(apiPipelineRun) || pipelineRunning(warehouse),

    async stop() {
      stopping = true;
      // The pipeline checks the signal between steps: the current step finishes, the next does not start.
      abort.abort();
      await executorSchedule?.task.stop();
      await scheduler?.drain();
      await scheduler?.stop();
      await apiPipelineRun;
      await apiExecutorRun;
      // A scheduled executor run in progress finishes; then the task goes.
      while (executorSchedule?.task.isBusy()) await sleep(100);
      await executorSchedule?.stop();
      // Last: notices the runs above queued get their chance to go out.
      await pump?.stop();
    },
  };
}
