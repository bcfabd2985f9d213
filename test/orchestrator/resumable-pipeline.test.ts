/**
 * The pipeline's ledger on a small generated estate: each stage recorded with its fingerprint,
 * rows and money; a second run on unchanged inputs skips all but the actions; a changed input
 * reruns what reads it; an interrupted or failed run resumes from where it stopped; a transient
 * failure is retried and its attempts recorded. (The report stage is left to pipeline.test.ts:
 * it takes longest and reads only the snapshots.)
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import { beforeAll, describe, expect, it } from "vitest";
import { type Config, loadConfig } from "../../core/config.ts";
import { UsageError } from "../../core/errors.ts";
import { closeWarehouse, openWarehouse, type Warehouse } from "../../core/warehouse/warehouse.ts";
import {
  PipelineInterruptedError,
  type PipelineStepRecord,
  type RunSummary,
  runPipeline,
} from "../../orchestrator/pipeline.ts";
import { FIXTURES, quiet, tempDir } from "../helpers/tmp.ts";
import { freePort } from "../helpers/ports.ts";

const dataDir = tempDir();
let config: Config;
let warehouse: Warehouse;
let first: RunSummary;

beforeAll(async () => {
  const configFile = path.join(dataDir, "cco.config.yaml");
  writeFileSync(
    configFile,
    "generate:\n  seed: 11\n  resources: 40\n  days: 35\npipeline:\n  retry:\n    attempts: 3\n    base_delay_ms: 0\n",
  );
  config = loadConfig({ configFile, dataDir, env: {} });
  warehouse = await openWarehouse(config);
  first = await runPipeline(warehouse, config, { demo: true, demoActions: false, to: "snapshot" }, quiet);
  return closeWarehouse;
}, 300_000);

interface StepRow {
  step: string;
  status: string;
  fingerprint: string | null;
  rows: string | null;
  cost_totals: string | null;
  attempts: number;
  detail: string | null;
  error: string | null;
}
const stepsOf = (runId: string) =>
  warehouse.all<StepRow>(
    "select step, status, fingerprint, rows::varchar as rows, cost_totals, attempts, detail, error from ops.pipeline_steps where run_id = $1 order by started_at",
    [runId],
  );
const runOf = (runId: string) =>
  warehouse
    .all<{
      status: string;
      command: string;
      trigger: string;
      selection: string;
      resumed_from: string | null;
      error: string | null;
    }>(
      "select status, command, trigger, selection, resumed_from::varchar as resumed_from, error from ops.pipeline_runs where run_id = $1",
      [runId],
    )
    .then((rows) => rows[0]!);
const statuses = (s: RunSummary) => Object.fromEntries(s.steps.map((x) => [x.name, x.status]));
const lastRunId = async () =>
  (await warehouse.all<{ id: string }>("select max(run_id)::varchar as id from ops.pipeline_runs"))[0]!.id;

describe("the pipeline's ledger", () => {
  it("records each stage with its inputs' fingerprint, rows and money", async () => {
    const steps = await stepsOf(first.runId);
    expect(steps.map((s) => [s.step, s.status])).toEqual(
      ["generate", "ingest", "models", "ml", "recommend", "actions", "snapshot"].map((s) => [s, "succeeded"]),
    );
    for (const s of steps) {
      if (s.step === "actions") expect(s.fingerprint).toBeNull();
      else expect(s.fingerprint, s.step).toMatch(/^[0-9a-f]{64}$/);
    }
    // Ingest: what landed, per currency, to the cent of the ledger's own totals.
    const landed = await warehouse.all<{ currency: string; total: string }>(
      `select e.key as currency, sum((e.value ->> '$')::decimal(38, 10))::varchar as total
       from ops.loads l, json_each(l.cost_totals) e where l.status = 'loaded' group by 1 order by 1`,
    );
    const ingest = steps.find((s) => s.step === "ingest")!;
    expect(JSON.parse(ingest.cost_totals!)).toEqual(
      Object.fromEntries(landed.map((r) => [r.currency, r.total])),
    );
    const [loaded] = await warehouse.all<{ n: string }>(
      "select sum(rows)::varchar as n from ops.loads where status = 'loaded'",
    );
    expect(ingest.rows).toBe(loaded!.n);
    // Models: marts.cost_daily's billed cost per currency.
    const daily = await warehouse.all<{ currency: string; total: string }>(
      "select currency, sum(billed_cost)::varchar as total from marts.cost_daily group by 1",
    );
    const models = steps.find((s) => s.step === "models")!;
    expect(JSON.parse(models.cost_totals!)).toEqual(
      Object.fromEntries(daily.map((r) => [r.currency, r.total])),
    );

    const run = await runOf(first.runId);
    expect(run).toMatchObject({
      status: "succeeded",
      command: "run --demo",
      trigger: "cli",
      resumed_from: null,
    });
    expect(JSON.parse(run.selection)).toMatchObject({ to: "snapshot", demo: true, demoActions: false });
  });

  it("skips every stage whose inputs did not change, runs the actions, and reports each step start and end", async () => {
    const events: PipelineStepRecord[] = [];
    const again = await runPipeline(
      warehouse,
      config,
      { demo: true, demoActions: false, to: "snapshot", onStep: (e) => events.push(e) },
      quiet,
    );
    expect(statuses(again)).toEqual({
      generate: "skipped",
      ingest: "skipped",
      models: "skipped",
      ml: "skipped",
      recommend: "skipped",
      actions: "succeeded",
      snapshot: "skipped",
    });
    expect(again.steps.find((s) => s.name === "models")!.reason).toBe(
      `inputs unchanged since run ${first.runId}`,
    );
    expect(events.map((e) => `${e.step}:${e.status}`)).toEqual(
      again.steps.flatMap((s) => [`${s.name}:running`, `${s.name}:${s.status}`]),
    );
    expect(events.every((e) => e.runId === again.runId && e.trigger === "cli")).toBe(true);
    // The summary still names what the skipped stages wrote earlier.
    expect(again.recommendations).toEqual(first.recommendations);
    expect(again.approvalTable).toBe(first.approvalTable);
  });

  it("reruns what a changed input reaches, and only that", async () => {
    const changed: Config = {
      ...config,
      recommend: { ...config.recommend, priority: { ...config.recommend.priority, savings_per_point: 500 } },
    };
    const s = await runPipeline(warehouse, changed, { from: "models", to: "snapshot" }, quiet);
    expect(statuses(s)).toEqual({
      models: "skipped",
      ml: "skipped",
      recommend: "succeeded",
      actions: "succeeded",
      snapshot: "succeeded",
    });
  });

  it("stops an interrupted run after its current stage, and resumes it from the next with its selection", async () => {
    const interrupt = new AbortController();
    const onStep = (e: PipelineStepRecord) => {
      if (e.step === "models" && e.status === "succeeded") interrupt.abort("SIGTERM");
    };
    const error = await runPipeline(
      warehouse,
      config,
      { only: ["models", "ml", "recommend"], force: true, onStep, signal: interrupt.signal },
      quiet,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineInterruptedError);
    expect((error as PipelineInterruptedError).exitCode).toBe(143);
    const interrupted = await lastRunId();
    expect(await runOf(interrupted)).toMatchObject({ status: "failed", error: "interrupted (SIGTERM)" });
    expect((await stepsOf(interrupted)).map((s) => [s.step, s.status])).toEqual([["models", "succeeded"]]);

    const resumed = await runPipeline(warehouse, config, { resume: true }, quiet);
    expect(resumed.resumedFrom).toBe(interrupted);
    // --force came with the selection: ml runs although its inputs did not change.
    expect(statuses(resumed)).toEqual({ ml: "succeeded", recommend: "succeeded" });
    expect(await runOf(resumed.runId)).toMatchObject({ status: "succeeded", resumed_from: interrupted });

    await expect(runPipeline(warehouse, config, { resume: true }, quiet)).rejects.toThrow(
      new UsageError(`nothing to resume: the last run (${resumed.runId}) succeeded`),
    );
  });

  it("resumes a failed run at its failed stage, with the same inputs", async () => {
    const drop = path.join(tempDir(), "drop");
    mkdirSync(drop);
    writeFileSync(path.join(drop, "export.csv"), "not,a,billing,export\n1,2,3,4\n");
    const failed = await runPipeline(
      warehouse,
      config,
      { inputs: [drop], only: ["ingest", "models"] },
      quiet,
    ).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(Error);
    const runId = await lastRunId();
    const [step] = await stepsOf(runId);
    // Bad input is not retried.
    expect(step).toMatchObject({ step: "ingest", status: "failed", attempts: 1 });
    expect(step!.error).toContain("export.csv");

    // The export is replaced by one already loaded (skipped by its sha256): ingest succeeds.
    rmSync(path.join(drop, "export.csv"));
    const estateFile = firstFile(config.paths.estate, /\.csv\.gz$/);
    copyFileSync(estateFile, path.join(drop, path.basename(estateFile)));
    const resumed = await runPipeline(warehouse, config, { resume: true }, quiet);
    expect(resumed.resumedFrom).toBe(runId);
    expect(statuses(resumed)).toEqual({ ingest: "succeeded", models: "skipped" });
    expect(JSON.parse((await stepsOf(resumed.runId))[0]!.detail!)).toMatchObject({ files: 1, skipped: 1 });
  });

  it("retries a stage that failed on a transient error and records its attempts", async () => {
    // s3:// on a port nobody listens on yet (ECONNREFUSED); the server starts during the backoff.
    const port = await freePort();
    const credentials = {
      AWS_ACCESS_KEY_ID: "S3RVER",
      AWS_SECRET_ACCESS_KEY: "S3RVER",
      AWS_REGION: "us-east-1",
    };
    Object.assign(process.env, credentials);
    let server: S3rver | undefined;
    const sleep = async () => {
      if (server) return;
      server = new S3rver({ port, address: "127.0.0.1", directory: tempDir(), silent: true });
      await server.run();
      const s3 = new S3Client({
        endpoint: `http://127.0.0.1:${port}`,
        forcePathStyle: true,
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_REQUIRED",
      });
      await s3.send(new CreateBucketCommand({ Bucket: "billing" }));
      const sample = path.join(FIXTURES, "aws", "cur_athena_snakecase_koku_2022-07.csv");
      await s3.send(
        new PutObjectCommand({ Bucket: "billing", Key: "cur/export.csv", Body: readFileSync(sample) }),
      );
      s3.destroy();
    };
    const remote: Config = {
      ...config,
      sources: {
        ...config.sources,
        s3: { endpoint: `http://127.0.0.1:${port}`, forcePathStyle: true, region: "us-east-1" },
      },
    };
    try {
      const s = await runPipeline(
        warehouse,
        remote,
        { inputs: ["s3://billing/cur"], only: ["ingest"], sleep },
        quiet,
      );
      expect(s.steps).toEqual([
        expect.objectContaining({ name: "ingest", status: "succeeded", attempts: 2 }),
      ]);
      const [step] = await stepsOf(s.runId);
      expect(step).toMatchObject({ status: "succeeded", attempts: 2, fingerprint: null });
      expect(JSON.parse(step!.detail!)).toMatchObject({ loaded: 1 });
    } finally {
      await server?.close();
    }
  });

  it("refuses an unknown stage and a run with nothing to ingest on an empty warehouse", async () => {
    await expect(runPipeline(warehouse, config, { only: ["modles"] }, quiet)).rejects.toThrow(
      /^--only: unknown stage 'modles'; one of generate, ingest, models/,
    );
    const empty = loadConfig({ dataDir: tempDir(), env: {}, cwd: dataDir });
    const { Warehouse: WarehouseClass } = await import("../../core/warehouse/warehouse.ts");
    const other = await WarehouseClass.open({ path: ":memory:" });
    try {
      await expect(runPipeline(other, empty, {}, quiet)).rejects.toThrow(
        new UsageError(
          "nothing to ingest: pass export paths, list them in pipeline.sources of the config, or use --demo",
        ),
      );
      expect(await other.all("select * from ops.pipeline_runs")).toEqual([]);
    } finally {
      await other.close();
    }
  });
});

function firstFile(dir: string, pattern: RegExp): string {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && pattern.test(entry.name)) return path.join(entry.parentPath, entry.name);
  }
  throw new Error(`no ${pattern} under ${dir}`);
}
