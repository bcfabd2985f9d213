/**
 * The pipeline's schedules: listed with their next times in their zones (and the executor's),
 * checked against the config, and run for real by node-cron: a second tick finds nothing new
 * and skips; drain() stops a run after its current stage, recorded as interrupted.
 */
import path from "node:path";
import { writeFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { type Config, loadConfig } from "../../core/config.ts";
import { ConfigError } from "../../core/errors.ts";
import { Warehouse } from "../../core/warehouse/warehouse.ts";
import {
  PipelineInterruptedError,
  type PipelineStepRecord,
  type RunSummary,
} from "../../orchestrator/pipeline.ts";
import {
  listSchedules,
  type PipelineScheduler,
  startPipelineSchedules,
} from "../../orchestrator/schedule.ts";
import { FIXTURES, quiet, tempDir } from "../helpers/tmp.ts";

const SAMPLE = path.join(FIXTURES, "aws", "cur_athena_snakecase_koku_2022-07.csv");

function configWith(yaml: string): Config {
  const dataDir = tempDir();
  const configFile = path.join(dataDir, "cco.config.yaml");
  writeFileSync(configFile, yaml);
  return loadConfig({ configFile, dataDir, env: {} });
}

describe("listSchedules", () => {
  it("lists each schedule with its stages and next times in its zone, then the executor's", () => {
    const config = configWith(`
pipeline:
  schedules:
    nightly: {cron: "0 2 * * *", timezone: Europe/Paris}
    hourly-ingest: {cron: "5 * * * *", timezone: UTC, stages: [ingest, models]}
actions:
  schedule: {cron: "30 6 * * 1-5", timezone: America/New_York}
`);
    const from = new Date("2026-10-24T23:30:00Z");
    const runs = listSchedules(config, 2, from);
    expect(runs.map((r) => ({ ...r, next: r.next.map((d) => d.toISOString()) }))).toEqual([
      {
        kind: "pipeline",
        name: "hourly-ingest",
        cron: "5 * * * *",
        timezone: "UTC",
        stages: ["ingest", "models"],
        next: ["2026-10-25T00:05:00.000Z", "2026-10-25T01:05:00.000Z"],
      },
      {
        kind: "pipeline",
        name: "nightly",
        cron: "0 2 * * *",
        timezone: "Europe/Paris",
        stages: ["ingest", "models", "ml", "recommend", "actions", "snapshot", "report"],
        // 25 October: 02:00 comes twice in Paris; it fires once.
        next: ["2026-10-25T01:00:00.000Z", "2026-10-26T01:00:00.000Z"],
      },
      {
        kind: "executor",
        name: "executor",
        cron: "30 6 * * 1-5",
        timezone: "America/New_York",
        stages: ["actions"],
        next: ["2026-10-26T10:30:00.000Z", "2026-10-27T10:30:00.000Z"],
      },
    ]);
  });

  it("lists only the executor's schedule when there are no pipeline schedules", () => {
    expect(listSchedules(configWith(""), 1).map((r) => r.kind)).toEqual(["executor"]);
  });

  it("names the config key of a bad cron expression, and refuses the demo's generate stage", () => {
    const bad = configWith('pipeline:\n  schedules:\n    nightly: {cron: "0 25 * * *", timezone: UTC}\n');
    expect(() => listSchedules(bad)).toThrow(ConfigError);
    expect(() => listSchedules(bad)).toThrow(
      /pipeline\.schedules\.nightly\.cron: 0 25 \* \* \* is not a cron expression/,
    );
    const demo = configWith(
      'pipeline:\n  schedules:\n    demo: {cron: "0 2 * * *", timezone: UTC, stages: [generate, ingest]}\n',
    );
    expect(() => listSchedules(demo)).toThrow(
      /pipeline\.schedules\.demo\.stages: generate makes the demo estate/,
    );
  });
});

describe("startPipelineSchedules", () => {
  let scheduler: PipelineScheduler | undefined;
  let warehouse: Warehouse | undefined;
  afterEach(async () => {
    await scheduler?.stop();
    await warehouse?.close();
    scheduler = undefined;
    warehouse = undefined;
  });

  const every2s = (stages: string) =>
    configWith(
      `pipeline:\n  sources: [${JSON.stringify(SAMPLE)}]\n  schedules:\n    often: {cron: "*/2 * * * * *", timezone: UTC, stages: [${stages}]}\n`,
    );

  it("runs each tick as a scheduled run; the second finds nothing new and skips", async () => {
    const config = every2s("ingest");
    warehouse = await Warehouse.open({ path: path.join(config.dataDir, "warehouse.duckdb") });
    const runs: RunSummary[] = [];
    const errors: unknown[] = [];
    const twoRuns = new Promise<void>((resolve) => {
      startPipelineSchedules(warehouse!, config, {
        progress: quiet,
        onRun: (s) => {
          runs.push(s);
          if (runs.length === 2) resolve();
        },
        onError: (e) => errors.push(e),
      }).then((s) => {
        scheduler = s;
      });
    });
    await twoRuns;
    await scheduler!.stop();
    expect(errors).toEqual([]);
    expect(runs.map((r) => [r.trigger, r.steps.map((s) => `${s.name}:${s.status}`)])).toEqual([
      ["schedule", ["ingest:succeeded"]],
      ["schedule", ["ingest:skipped"]],
    ]);
    const ledger = await warehouse.all<{ command: string; trigger: string; status: string }>(
      "select command, trigger, status from ops.pipeline_runs order by run_id",
    );
    expect(ledger.slice(0, 2)).toEqual([
      { command: "schedule often", trigger: "schedule", status: "succeeded" },
      { command: "schedule often", trigger: "schedule", status: "succeeded" },
    ]);
  });

  it("drain() lets the current stage finish, records the run as interrupted and starts no other", async () => {
    const config = every2s("ingest, models");
    warehouse = await Warehouse.open({ path: path.join(config.dataDir, "warehouse.duckdb") });
    const errors: unknown[] = [];
    const steps: PipelineStepRecord[] = [];
    let drained: Promise<void> | undefined;
    const started = new Promise<void>((resolve) => {
      startPipelineSchedules(warehouse!, config, {
        progress: quiet,
        onStep: (e) => {
          steps.push(e);
          if (e.step === "ingest" && e.status === "running") {
            drained = scheduler!.drain();
            resolve();
          }
        },
        onError: (e) => errors.push(e),
      }).then((s) => {
        scheduler = s;
      });
    });
    await started;
    await drained;
    expect(steps.map((s) => `${s.step}:${s.status}`)).toEqual(["ingest:running", "ingest:succeeded"]);
    expect(errors).toEqual([expect.any(PipelineInterruptedError)]);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(await warehouse.all("select status, error from ops.pipeline_runs")).toEqual([
      { status: "failed", error: "interrupted (SIGTERM)" },
    ]);
  });
});
