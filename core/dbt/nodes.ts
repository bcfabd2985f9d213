/**
 * Executing one node of a build, with its result in dbt's run_results shape: a seed, a model
 * (through its materialization) or a data test. A failed seed or model is recorded in `failed`,
 * so that the nodes after it are skipped, never its siblings.
 */
import type { Progress } from "../log.ts";
import type { Warehouse } from "../warehouse/warehouse.ts";
import type { CompiledModel } from "./compile.ts";
import { materialize } from "./materializations/index.ts";
import { loadSeed } from "./materializations/seed.ts";
import { type DbtProject, uniqueId } from "./project.ts";
import type { SeedNode } from "./seeds.ts";
import type { DataTest } from "./tests.ts";
import { countRows } from "../sql.ts";

export interface NodeResult {
  unique_id: string;
  status: "success" | "error" | "skipped" | "pass" | "fail" | "warn";
  execution_time: number;
  message: string | null;
  failures: number | null;
  /** When and on which thread the node ran (dbt's run_results shape), to read a build's critical path. */
  timing?: { name: "execute"; started_at: string; completed_at: string }[];
  thread_id?: string;
}

export interface ModelRun {
  /** False for `models test`: models are not built (only skipped after a failure). */
  runModels: boolean;
  /** Whether seeds are loaded (`models build` and `models seed`, not `models run` or `models test`). */
  runSeeds: boolean;
  fullRefresh: boolean;
  externalRoot: string | undefined;
}

/** One model: skipped after a failed parent; built otherwise. Undefined when models are not run. */
export async function executeModel(
  warehouse: Warehouse,
  project: DbtProject,
  models: Map<string, CompiledModel>,
  model: CompiledModel,
  run: ModelRun,
  failed: Set<string>,
  progress: Progress,
): Promise<NodeResult | undefined> {
  const id = uniqueId(project, "model", model.node.name);
  if (model.refs.some((r) => failed.has(r))) {
    failed.add(model.node.name);
    return skipped(id, "an upstream model failed");
  }
  if (!run.runModels) return undefined;
  const t0 = performance.now();
  try {
    await materialize({ warehouse, project, models, model, ...run });
    return { unique_id: id, status: "success", execution_time: secs(t0), message: null, failures: null };
  } catch (error) {
    failed.add(model.node.name);
    const message = `${model.node.file}: ${(error as Error).message.split("\n")[0]}`;
    progress.warn(message);
    return { unique_id: id, status: "error", execution_time: secs(t0), message, failures: null };
  }
}

/** One seed: loaded when its file or config changed (or on a full refresh). Undefined when seeds are not run. */
export async function executeSeed(
  warehouse: Warehouse,
  project: DbtProject,
  seed: SeedNode,
  run: ModelRun,
  failed: Set<string>,
  progress: Progress,
): Promise<NodeResult | undefined> {
  if (!run.runSeeds) return undefined;
  const id = uniqueId(project, "seed", seed.name);
  const t0 = performance.now();
  try {
    const rows = await loadSeed(warehouse, project.root, seed, run.fullRefresh);
    const message = rows === undefined ? "unchanged, not reloaded" : `INSERT ${rows}`;
    return { unique_id: id, status: "success", execution_time: secs(t0), message, failures: null };
  } catch (error) {
    failed.add(seed.name);
    const message = `${seed.file}: ${(error as Error).message.split("\n")[0]}`;
    progress.warn(message);
    return { unique_id: id, status: "error", execution_time: secs(t0), message, failures: null };
  }
}

/**
 * One data test: its SQL returns the failing rows; none is a pass, some a fail (or a warn by its
 * severity). Skipped when a model it reads failed; a failed generic test fails its model.
 */
export function executeTest(
  warehouse: Warehouse,
  test: DataTest,
  failed: Set<string>,
  progress: Progress,
): Promise<NodeResult> {
  return runDataTest(
    (sql) => countRows(warehouse, `(${sql})`),
    (error) => (error as Error).message.split("\n")[0]!,
    test,
    failed,
    progress,
  );
}

/** A data test on any engine: `countFailures` counts its SQL's rows, `describe` words an error. */
export async function runDataTest(
  countFailures: (sql: string) => Promise<number>,
  describe: (error: unknown) => string,
  test: DataTest,
  failed: Set<string>,
  progress: Progress,
): Promise<NodeResult> {
  if (test.refs.some((r) => failed.has(r))) return skipped(test.id, "a model it tests failed");
  // A singular test's messages start with its file; a generic test's id names it already.
  const where = test.attached ? "" : `${test.file}: `;
  const t0 = performance.now();
  let result: NodeResult;
  try {
    const failures = await countFailures(test.sql);
    const status = failures === 0 ? "pass" : test.severity === "warn" ? "warn" : "fail";
    if (status !== "pass") progress.warn(`${test.id}: ${failures} failing rows`);
    result = {
      ...done(
        test.id,
        status,
        t0,
        failures ? `${where}Got ${failures} results, configured to fail if != 0` : null,
      ),
      failures,
    };
  } catch (error) {
    result = done(test.id, "error", t0, `${where}${describe(error)}`);
  }
  if (test.attached && (result.status === "fail" || result.status === "error"))
    failed.add(test.attached.model);
  return result;
}

/** A node's result: its time since t0, no failing-row count. */
export function done(
  id: string,
  status: NodeResult["status"],
  t0: number,
  message: string | null,
): NodeResult {
  return { unique_id: id, status, execution_time: secs(t0), message, failures: null };
}

export function skipped(id: string, message: string): NodeResult {
  return { unique_id: id, status: "skipped", execution_time: 0, message, failures: null };
}

function secs(t0: number): number {
  return Math.round(performance.now() - t0) / 1000;
}
