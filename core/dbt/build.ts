/**
 * `dbt build`: the selected seeds, models and their data tests as one DAG, run on the profile's
 * threads. A node's children wait for its generic tests (a failed test stops them, as a failed
 * model or seed does); a singular test runs once the nodes it reads are built. Each seed and
 * model is built in its own transaction; the artifacts in target/ are written at the end.
 */
import { UsageError } from "../errors.ts";
import type { Progress } from "../log.ts";
import type { Warehouse } from "../warehouse/warehouse.ts";
import { previousTimes, writeArtifacts } from "./artifacts.ts";
import { type CompiledModel, compileProject } from "./compile.ts";
import { READ_ONLY_SCHEMAS } from "./materializations/index.ts";
import { executeModel, executeSeed, executeTest, type NodeResult } from "./nodes.ts";
import { type DbtProject, loadProject, refId, uniqueId } from "./project.ts";
import { type DagNode, runDag } from "./schedule.ts";
import type { SeedNode } from "./seeds.ts";
import { selectModels } from "./selection.ts";
import { compileDataTests, type DataTest } from "./tests.ts";

export interface BuildOptions {
  select?: string;
  runTests: boolean;
  runModels: boolean;
  /** Load the selected seeds (dbt build, dbt seed); default: when models are run. */
  runSeeds?: boolean;
  /** Reload seeds and rebuild incremental models from scratch. */
  fullRefresh?: boolean;
  /** Overrides of dbt_project.yml vars, as dbt's --vars. */
  vars?: Record<string, unknown>;
  /** Where external (Parquet) models are written, one folder per model (dbt-duckdb's external_root). */
  externalRoot?: string;
  /** Nodes run at once (dbt's --threads); defaults to the profile's threads. */
  threads?: number;
}

export interface BuildNode extends DagNode {
  seed?: SeedNode;
  model?: CompiledModel;
  test?: DataTest;
}

export async function buildProject(
  warehouse: Warehouse,
  root: string,
  options: BuildOptions,
  progress: Progress,
): Promise<{ results: NodeResult[]; failed: number }> {
  const project = loadProject(root);
  // The warehouse is DuckDB: a profile whose default target is another adapter builds there.
  if (project.target.type !== "duckdb")
    throw new UsageError(
      `profiles.yml: the default target ${project.target.name} is ${project.target.type}, not DuckDB: build it with --target`,
    );
  const { models, tests, runSeeds, seeds, order, nodes } = planBuild(project, options);
  // Every query and view over the lake re-reads big Parquet footers otherwise. Safe while the
  // build runs: lake files are never rewritten in place, and external models write new names.
  const started = new Date().toISOString();
  await warehouse.run("SET parquet_metadata_cache = true");
  // Created up front: two nodes creating the same schema at once would conflict. A model aimed
  // at a schema the runner never writes fails on its own (materializations/index.ts).
  for (const schema of new Set([...seeds, ...order].map((n) => n.relation.split(".")[0]!))) {
    if (!READ_ONLY_SCHEMAS.has(schema)) await warehouse.run(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  }
  const failedModels = new Set<string>();
  const run = {
    runModels: options.runModels,
    runSeeds,
    fullRefresh: options.fullRefresh ?? false,
    externalRoot: options.externalRoot,
  };
  // Each node's result lands in its own slot, so run_results.json keeps the DAG's order.
  const slots = new Map<string, NodeResult | undefined>(nodes.map((n) => [n.id, undefined]));
  const sessions: Warehouse[] = [warehouse];
  let built = 0;
  try {
    const loading = runSeeds ? seeds.length : 0;
    const label = !loading
      ? `Building ${order.length} models`
      : order.length
        ? `Building ${loading} seeds and ${order.length} models`
        : `Loading ${loading} seeds`;
    await progress.step(label, async (tick) => {
      await runDag(nodes, options.threads ?? project.threads, async (node, worker) => {
        sessions[worker] ??= await warehouse.session();
        const session = sessions[worker]!;
        const startedAt = new Date().toISOString();
        const result = node.test
          ? await executeTest(session, node.test, failedModels, progress)
          : node.seed
            ? await executeSeed(session, project, node.seed, run, failedModels, progress)
            : await executeModel(session, project, models, node.model!, run, failedModels, progress);
        if (node.model || (node.seed && runSeeds)) tick(++built, loading + order.length);
        if (!result) return;
        const completedAt = new Date().toISOString();
        result.timing = [{ name: "execute", started_at: startedAt, completed_at: completedAt }];
        result.thread_id = `Thread-${worker + 1}`;
        slots.set(node.id, result);
      });
    });
  } finally {
    for (const session of sessions.slice(1)) await session?.close();
    await warehouse.run("RESET parquet_metadata_cache");
  }
  const results = [...slots.values()].filter((r) => r !== undefined);
  writeArtifacts(project, models, tests, results, started);
  const failed = results.filter((r) => r.status === "error" || r.status === "fail").length;
  return { results, failed };
}

/** What a build runs, on any adapter: the compiled project, the selection and its DAG. */
export function planBuild(project: DbtProject, options: BuildOptions) {
  Object.assign(project.vars, options.vars ?? {});
  const models = compileProject(project);
  const tests = compileDataTests(project, models);
  const selected = selectModels(models, options.select, project.seeds);
  const runSeeds = options.runSeeds ?? options.runModels;
  const seeds = [...project.seeds.values()].filter((s) => selected.has(s.name));
  // `models seed` runs no model and no test: its DAG is the seeds alone.
  const order =
    options.runModels || options.runTests
      ? [...models.values()].filter((m) => selected.has(m.node.name))
      : [];
  // Each node's time in the last run orders the ready ones: the longest chain of work first.
  const lastTimes = previousTimes(project);
  const nodes = dagNodes(project, seeds, order, options.runTests ? tests : [], selected).map((n) => ({
    ...n,
    cost: lastTimes.get(n.id),
  }));
  return { models, tests, runSeeds, seeds, order, nodes };
}

/**
 * The build's DAG, in list order: each selected seed, then each selected model, followed by its
 * generic tests, and each singular test that reads a selected node right after the last node it
 * reads (among ready nodes with equal chains of work, e.g. on a first build with no past times,
 * list order decides).
 */
function dagNodes(
  project: DbtProject,
  seeds: SeedNode[],
  order: CompiledModel[],
  tests: DataTest[],
  selected: Set<string>,
): BuildNode[] {
  // Ids of nodes outside the selection are not among the nodes: runDag counts them as done.
  const nodeId = (name: string) => refId(project, name);
  const generic = new Map<string, DataTest[]>();
  for (const test of tests) {
    const node = test.attached?.model;
    if (node && selected.has(node)) generic.set(node, [...(generic.get(node) ?? []), test]);
  }
  const testNode = (test: DataTest): BuildNode => ({
    id: test.id,
    dependsOn: test.refs.map(nodeId),
    test,
  });
  const groups: BuildNode[][] = [
    ...seeds.map((seed) => [
      { id: uniqueId(project, "seed", seed.name), dependsOn: [], seed },
      ...(generic.get(seed.name) ?? []).map(testNode),
    ]),
    ...order.map((model) => [
      {
        id: uniqueId(project, "model", model.node.name),
        // After its parents and their generic tests.
        dependsOn: model.refs.flatMap((r) => [nodeId(r), ...(generic.get(r) ?? []).map((t) => t.id)]),
        model,
      },
      ...(generic.get(model.node.name) ?? []).map(testNode),
    ]),
  ];
  const position = new Map(
    [...seeds.map((s) => s.name), ...order.map((m) => m.node.name)].map((n, i) => [n, i]),
  );
  for (const test of tests) {
    if (test.attached || !test.refs.some((r) => position.has(r))) continue;
    const last = Math.max(...test.refs.map((r) => position.get(r) ?? -1));
    groups[last]!.push(testNode(test));
  }
  return groups.flat();
}
