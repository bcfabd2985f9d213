/**
 * kill -9 of a stage at a random moment, and what must hold afterwards. A case copies its
 * template, starts the real CLI, SIGKILLs it after a delay drawn uniformly over the stage's
 * measured duration (from the case's seed, so a failure names its seed and can be run again),
 * then checks: (1) the warehouse opens; (2) the dbt tests of the models that exist pass;
 * (3) the stage's own invariants (ingest-checks.ts, recommend-checks.ts, action-checks.ts);
 * (4) the same command run again exits 0 and leaves what a run never killed leaves.
 *
 * Used by test/crash/crash.test.ts (a few cases per stage) and bench/crash-matrix.ts (50 each).
 */
import path from "node:path";
import { Warehouse } from "../../core/warehouse/warehouse.ts";
import { Prng } from "../../orchestrator/estate-generator/prng.ts";
import { actionProblems, settleActions, settledActions } from "./action-checks.ts";
import { runCco } from "./cli.ts";
import { ingestDigest, ingestProblems, orphanLakeFiles } from "./ingest-checks.ts";
import { externalFiles, relationsDigest, swapLeftovers, testsOfBuiltModels } from "./model-checks.ts";
import { recommendDigest, recommendProblems } from "./recommend-checks.ts";
import { dataDir, restore, type TemplateName, type Templates } from "./templates.ts";

export type StageName = "ingest" | "models" | "recommend" | "actions";

interface Stage {
  /** Where its cases start; a seed picks one (models: a first build, or an incremental one). */
  templates: TemplateName[];
  args(t: Templates): string[];
  /** Checks right after the kill, beside the dbt tests. */
  afterKill(w: Warehouse, dataDir: string): Promise<string[]>;
  /** Whether the dbt tests of the existing models run after the kill. */
  dbtTests: boolean;
  /** The command run to completion after the kill; the problems met. */
  rerun(t: Templates, dataDir: string): Promise<string[]>;
  /** After completion: what must not be there, and what must equal a run never killed. */
  finished(w: Warehouse, dataDir: string): Promise<{ problems: string[]; digest: Record<string, string> }>;
}

async function runToEnd(dataDir: string, args: string[]): Promise<string[]> {
  const run = await runCco(dataDir, args);
  return run.code === 0
    ? []
    : [`rerun exited ${run.code ?? run.signal}: ${(run.stderr || run.stdout).trim()}`];
}

const lake = (dataDir: string) => path.join(dataDir, "lake");
const marts = (dataDir: string) => path.join(dataDir, "marts");

export const STAGES: Record<StageName, Stage> = {
  ingest: {
    templates: ["empty"],
    args: (t) => ["ingest", t.estate],
    afterKill: (w) => ingestProblems(w),
    dbtTests: false,
    rerun: (t, d) => runToEnd(d, ["ingest", t.estate]),
    async finished(w, d) {
      const problems = await ingestProblems(w);
      problems.push(...(await orphanLakeFiles(w, lake(d))).map((f) => `orphan lake file ${f}`));
      return { problems, digest: await ingestDigest(w, lake(d)) };
    },
  },
  models: {
    templates: ["ingested", "restated"],
    args: () => ["models", "build"],
    afterKill: async () => [],
    dbtTests: true,
    rerun: (_t, d) => runToEnd(d, ["models", "build"]),
    async finished(w, d) {
      const problems = swapLeftovers(marts(d)).map((f) => `left in marts/: ${f}`);
      const digest = {
        ...(await relationsDigest(w, ["staging", "intermediate", "marts"])),
        ...externalFiles(marts(d)),
      };
      return { problems, digest };
    },
  },
  recommend: {
    templates: ["modelled"],
    args: () => ["recommend"],
    afterKill: (w, d) => recommendProblems(w, d),
    dbtTests: true,
    rerun: (_t, d) => runToEnd(d, ["recommend"]),
    async finished(w, d) {
      const problems = await recommendProblems(w, d);
      problems.push(...swapLeftovers(marts(d)).map((f) => `left in marts/: ${f}`));
      return { problems, digest: await recommendDigest(w, d) };
    },
  },
  actions: {
    templates: ["approved"],
    args: () => ["actions", "run"],
    afterKill: (w) => actionProblems(w),
    dbtTests: false,
    rerun: (_t, d) => settleActions(d),
    finished: (w, d) => settledActions(w, d),
  },
};

async function withWarehouse<T>(dataDir: string, work: (w: Warehouse) => Promise<T>): Promise<T> {
  const w = await Warehouse.open({ path: path.join(dataDir, "warehouse.duckdb"), threads: 1 });
  try {
    return await work(w);
  } finally {
    await w.close();
  }
}

/** A run never killed, per stage and template: how long it takes, and what it leaves. */
export interface Reference {
  ms: number;
  digest: Record<string, string>;
}

export async function reference(t: Templates, stage: StageName, template: TemplateName): Promise<Reference> {
  const spec = STAGES[stage];
  const data = restore(t, template);
  const run = await runCco(data, spec.args(t));
  if (run.code !== 0) throw new Error(`${stage} on ${template}: exited ${run.code}: ${run.stderr}`);
  // The executor's work ends when a run finds nothing left: it settles as after a kill.
  const rest = stage === "actions" ? await spec.rerun(t, data) : [];
  const { problems, digest } = await withWarehouse(data, (w) => spec.finished(w, data));
  if (rest.length || problems.length)
    throw new Error(`${stage} on ${template}, never killed: ${[...rest, ...problems].join("; ")}`);
  return { ms: run.ms, digest };
}

export interface CaseResult {
  stage: StageName;
  template: TemplateName;
  seed: number;
  delayMs: number;
  /** The fault point that killed it, instead of a delay. */
  fault?: string;
  /** False when the run ended before the delay (then it must have succeeded). */
  killed: boolean;
  problems: string[];
  /** Tests of several models that failed after the kill and passed after the rerun (model-checks.ts). */
  lagging: string[];
  recoverySeconds: number;
}

export const describeCase = (c: Pick<CaseResult, "stage" | "template" | "seed" | "delayMs" | "fault">) =>
  c.fault
    ? `${c.stage} (${c.template}, kill at ${c.fault})`
    : `${c.stage} seed ${c.seed} (${c.template}, kill after ${c.delayMs} ms)`;

/** The template and delay a seed picks. */
export function planCase(
  stage: StageName,
  seed: number,
  references: Partial<Record<TemplateName, Reference>>,
) {
  const { templates } = STAGES[stage];
  const template = templates[seed % templates.length]!;
  const ms = references[template]?.ms;
  if (ms === undefined) throw new Error(`no reference run of ${stage} on ${template}`);
  return { template, delayMs: Math.floor(new Prng(seed).next() * ms) };
}

/**
 * One case: the seed picks the template and the delay. With `fault`, the kill comes from a fault
 * point instead (CCO_FAULT, core/faults.ts) and the run must really die there.
 */
export async function runCase(
  t: Templates,
  stage: StageName,
  seed: number,
  references: Partial<Record<TemplateName, Reference>>,
  options: { fault?: string; template?: TemplateName } = {},
): Promise<CaseResult> {
  const spec = STAGES[stage];
  const planned = planCase(stage, seed, references);
  const template = options.template ?? planned.template;
  const delayMs = options.fault ? 0 : planned.delayMs;
  const expected = references[template]!.digest;
  const result: CaseResult = {
    stage,
    template,
    seed,
    delayMs,
    ...(options.fault ? { fault: options.fault } : {}),
    killed: false,
    problems: [],
    lagging: [],
    recoverySeconds: 0,
  };
  const data = restore(t, template);
  const run = await runCco(
    data,
    spec.args(t),
    options.fault ? { env: { CCO_FAULT: options.fault } } : { killAfterMs: delayMs },
  );
  result.killed = run.signal === "SIGKILL";
  if (!result.killed && (run.code !== 0 || options.fault))
    result.problems.push(`exited ${run.code} before the kill: ${run.stderr.trim()}`);

  // (1)-(3): what the kill left.
  try {
    await withWarehouse(data, async (w) => {
      result.problems.push(...(await spec.afterKill(w, data)).map((p) => `after the kill: ${p}`));
      if (spec.dbtTests) {
        const tests = await testsOfBuiltModels(w, data);
        result.problems.push(...tests.failed.map((f) => `after the kill: ${f}`));
        result.lagging.push(...tests.lagging);
      }
    });
  } catch (error) {
    result.problems.push(`after the kill: ${(error as Error).message.split("\n")[0]}`);
    return result;
  }

  // (4): the same command again, then what it leaves against a run never killed.
  const started = performance.now();
  result.problems.push(...(await spec.rerun(t, data)));
  result.recoverySeconds = (performance.now() - started) / 1000;
  try {
    await withWarehouse(data, async (w) => {
      const { problems, digest } = await spec.finished(w, data);
      result.problems.push(...problems.map((p) => `after the rerun: ${p}`));
      for (const key of new Set([...Object.keys(expected), ...Object.keys(digest)]))
        if (expected[key] !== digest[key])
          result.problems.push(
            `after the rerun: ${key} is ${digest[key] ?? "absent"}, a run never killed: ${expected[key] ?? "absent"}`,
          );
    });
  } catch (error) {
    result.problems.push(`after the rerun: ${(error as Error).message.split("\n")[0]}`);
  }
  return result;
}

export { dataDir };
