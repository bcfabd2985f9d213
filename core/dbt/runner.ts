/**
 * Our dbt runner on DuckDB (dbt itself cannot be installed here): compiles the
 * project, orders models by their refs, builds each in its own transaction,
 * runs the generic column tests, and writes target/manifest.json and
 * target/run_results.json in dbt's shapes. A failed model skips its
 * descendants, never its siblings.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { UsageError } from "../errors.ts";
import type { Progress } from "../log.ts";
import type { Warehouse } from "../warehouse/warehouse.ts";
import { type DbtProject, loadProject, type ModelNode } from "./project.ts";
import { type ModelConfig, renderModel } from "./render.ts";
import { writeExternal } from "./external.ts";
import { type DagNode, runDag } from "./schedule.ts";
import { compileTest } from "./tests.ts";

export interface CompiledModel {
  node: ModelNode;
  sql: string;
  refs: string[];
  config: ModelConfig;
  relation: string;
}

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

const TARGET = { name: "dev", schema: "main", type: "duckdb" };

/** A model's and a test's ids in dbt's manifest and run results. */
const modelUniqueId = (project: DbtProject, name: string) => `model.${project.name}.${name}`;
const testUniqueId = (project: DbtProject, name: string) => `test.${project.name}.${name}`;

export function compileProject(
  project: DbtProject,
  env: NodeJS.ProcessEnv = process.env,
): Map<string, CompiledModel> {
  const schemaOf = new Map<string, string>();
  for (const node of project.models.values())
    schemaOf.set(node.name, String(node.folderConfig.schema ?? TARGET.schema));
  const relationOf = (name: string) => `${schemaOf.get(name)}.${name}`;
  // First pass discovers config(schema=...) overrides; the second renders with final relations.
  for (const node of project.models.values()) {
    const r = renderModel(node, { project, relationOf, incremental: false, env, target: TARGET });
    schemaOf.set(node.name, r.config.schema);
  }
  const compiled = new Map<string, CompiledModel>();
  for (const node of topoSort(project)) {
    const r = renderModel(node, { project, relationOf, incremental: false, env, target: TARGET });
    compiled.set(node.name, {
      node,
      sql: r.sql,
      refs: r.refs,
      config: r.config,
      relation: relationOf(node.name),
    });
  }
  return compiled;
}

/** Models in dependency order; a cycle is reported with the models in it. */
export function topoSort(project: DbtProject): ModelNode[] {
  const deps = new Map<string, string[]>();
  for (const node of project.models.values()) {
    deps.set(
      node.name,
      [...node.raw.matchAll(/ref\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!),
    );
  }
  const order: ModelNode[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string, trail: string[]) => {
    if (state.get(name) === "done") return;
    if (state.get(name) === "visiting") {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      throw new UsageError(`dependency cycle in models: ${cycle.join(" -> ")}`);
    }
    state.set(name, "visiting");
    for (const dep of deps.get(name) ?? []) if (project.models.has(dep)) visit(dep, [...trail, name]);
    state.set(name, "done");
    order.push(project.models.get(name)!);
  };
  for (const name of [...project.models.keys()].sort()) visit(name, []);
  return order;
}

/** dbt's selection syntax: name, +name, name+, +name+, tag:x, path:dir; several separated by spaces. */
export function selectModels(models: Map<string, CompiledModel>, select: string | undefined): Set<string> {
  if (!select?.trim()) return new Set(models.keys());
  const children = new Map<string, string[]>();
  for (const m of models.values())
    for (const r of m.refs) children.set(r, [...(children.get(r) ?? []), m.node.name]);
  const walk = (start: string, next: (n: string) => string[], out: Set<string>) => {
    for (const n of next(start)) {
      if (out.has(n)) continue;
      out.add(n);
      walk(n, next, out);
    }
  };
  const chosen = new Set<string>();
  for (const token of select.trim().split(/\s+/)) {
    const up = token.startsWith("+");
    const down = token.endsWith("+");
    const core = token.replace(/^\+|\+$/g, "");
    let base: string[];
    if (core.startsWith("tag:"))
      base = [...models.values()]
        .filter((m) => m.config.tags.includes(core.slice(4)))
        .map((m) => m.node.name);
    else if (core.startsWith("path:")) {
      const prefix = path.normalize(core.slice(5));
      base = [...models.values()].filter((m) => m.node.file.startsWith(prefix)).map((m) => m.node.name);
    } else base = models.has(core) ? [core] : [];
    if (!base.length) throw new UsageError(`--select ${token} matches no model`);
    for (const name of base) {
      chosen.add(name);
      if (up) walk(name, (n) => models.get(n)?.refs ?? [], chosen);
      if (down) walk(name, (n) => children.get(n) ?? [], chosen);
    }
  }
  return chosen;
}

export interface BuildOptions {
  select?: string;
  runTests: boolean;
  runModels: boolean;
  fullRefresh?: boolean;
  /** Overrides of dbt_project.yml vars, as dbt's --vars. */
  vars?: Record<string, unknown>;
  /** Where external (Parquet) models are written, one folder per model (dbt-duckdb's external_root). */
  externalRoot?: string;
  /** Nodes run at once (dbt's --threads); defaults to the profile's threads. */
  threads?: number;
}

export async function buildProject(
  warehouse: Warehouse,
  root: string,
  options: BuildOptions,
  progress: Progress,
): Promise<{ results: NodeResult[]; failed: number }> {
  const project = loadProject(root);
  Object.assign(project.vars, options.vars ?? {});
  const models = compileProject(project);
  const selected = selectModels(models, options.select);
  // Every query and view over the lake re-reads big Parquet footers otherwise. Safe while the
  // build runs: lake files are never rewritten in place, and external models write new names.
  await warehouse.run("SET parquet_metadata_cache = true");
  const failedModels = new Set<string>();
  const started = new Date().toISOString();
  const order = [...models.values()].filter((m) => selected.has(m.node.name));
  // Created up front: two nodes creating the same schema at once would conflict.
  for (const schema of new Set(order.map((m) => m.relation.split(".")[0]))) {
    await warehouse.run(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  }
  // dbt build's DAG: each column test is a node after its model, and a model's children wait
  // for its tests (a failed test stops them, as a failed model does). Nodes go by dbt's unique ids.
  const modelId = (name: string) => modelUniqueId(project, name);
  const columnTests = new Map(
    order.map((model) => [model.node.name, options.runTests ? columnTestNodes(project, models, model) : []]),
  );
  const groups: BuildNode[][] = order.map((model) => [
    {
      id: modelId(model.node.name),
      dependsOn: model.refs.flatMap((r) => [modelId(r), ...(columnTests.get(r) ?? []).map((t) => t.id)]),
      model,
    },
    ...columnTests.get(model.node.name)!,
  ]);
  // A singular test goes right after the last model it tests: among ready nodes with equal
  // chains of work (e.g. on a first build, with no past times), list order decides.
  for (const test of options.runTests ? singularTests(project, models, selected) : []) {
    const last = Math.max(...test.refs.map((r) => order.findIndex((m) => m.node.name === r)));
    groups[last]!.push({ id: testUniqueId(project, test.name), dependsOn: test.refs.map(modelId), test });
  }
  // Each node's time in the last run (run_results.json) orders the ready ones: longest chain first.
  const lastTimes = previousTimes(project);
  const nodes = groups.flat().map((n) => ({ ...n, cost: lastTimes.get(n.id) }));
  // Each node's results land in its own slot, so run_results.json keeps the DAG order.
  const slots = new Map<string, NodeResult[]>(nodes.map((n) => [n.id, []]));
  const sessions: Warehouse[] = [warehouse];
  let built = 0;
  try {
    await progress.step(`Building ${order.length} models`, async (tick) => {
      await runDag(nodes, options.threads ?? project.threads, async (node, worker) => {
        sessions[worker] ??= await warehouse.session();
        const session = sessions[worker]!;
        const results = slots.get(node.id)!;
        const startedAt = new Date().toISOString();
        if (node.test) {
          results.push(await runDataTest(session, node.id, node.test, failedModels, progress));
        } else {
          await buildModel(session, project, models, node.model!, options, failedModels, results, progress);
          tick(++built, order.length);
        }
        const timing = [
          { name: "execute" as const, started_at: startedAt, completed_at: new Date().toISOString() },
        ];
        for (const result of results) Object.assign(result, { timing, thread_id: `Thread-${worker + 1}` });
      });
    });
  } finally {
    for (const session of sessions.slice(1)) await session?.close();
    await warehouse.run("RESET parquet_metadata_cache");
  }
  const results = [...slots.values()].flat();
  writeArtifacts(project, models, results, started);
  const failed = results.filter((r) => r.status === "error" || r.status === "fail").length;
  return { results, failed };
}

/** Execution time per node id in the last run_results.json, if any. */
function previousTimes(project: DbtProject): Map<string, number> {
  try {
    const last = JSON.parse(readFileSync(path.join(project.targetPath, "run_results.json"), "utf8")) as {
      results?: { unique_id: string; execution_time: number }[];
    };
    return new Map((last.results ?? []).map((r) => [r.unique_id, Number(r.execution_time) || 0]));
  } catch {
    return new Map();
  }
}

interface BuildNode extends DagNode {
  model?: CompiledModel;
  test?: RenderedTest;
}

/** One model; a failed model marks it failed for its descendants. */
async function buildModel(
  warehouse: Warehouse,
  project: DbtProject,
  models: Map<string, CompiledModel>,
  model: CompiledModel,
  options: BuildOptions,
  failedModels: Set<string>,
  results: NodeResult[],
  progress: Progress,
): Promise<void> {
  const id = modelUniqueId(project, model.node.name);
  if (model.refs.some((r) => failedModels.has(r))) {
    failedModels.add(model.node.name);
    results.push({
      unique_id: id,
      status: "skipped",
      execution_time: 0,
      message: "an upstream model failed",
      failures: null,
    });
    return;
  }
  if (!options.runModels) return;
  const t0 = performance.now();
  try {
    await materialize(warehouse, project, models, model, options.fullRefresh ?? false, options.externalRoot);
    results.push({
      unique_id: id,
      status: "success",
      execution_time: secs(t0),
      message: null,
      failures: null,
    });
  } catch (error) {
    failedModels.add(model.node.name);
    const message = `${model.node.file}: ${(error as Error).message.split("\n")[0]}`;
    results.push({ unique_id: id, status: "error", execution_time: secs(t0), message, failures: null });
    progress.warn(message);
  }
}

/** A model's generic column tests as DAG nodes. */
function columnTestNodes(
  project: DbtProject,
  models: Map<string, CompiledModel>,
  model: CompiledModel,
): BuildNode[] {
  return model.node.columns.flatMap((column) =>
    column.tests.map((test) => {
      const name = `${test.name}_${model.node.name}_${column.name}`;
      return {
        id: testUniqueId(project, name),
        dependsOn: [modelUniqueId(project, model.node.name)],
        test: {
          name,
          where: "",
          sql: compileTest(model.relation, column.name, test, (ref) => models.get(ref)?.relation).sql,
          refs: [model.node.name],
          severity: test.severity,
          marksFailed: model.node.name,
        },
      };
    }),
  );
}

interface RenderedTest {
  name: string;
  /** Prefix of its messages: the singular test's file. */
  where: string;
  sql: string;
  /** Models it tests: it is skipped when one of them failed. */
  refs: string[];
  severity: "error" | "warn";
  /** A column test's failure stops its model's descendants. */
  marksFailed?: string;
}

/** Singular tests (tests/*.sql) that ref a selected model: each runs once the models it refs are built. */
function singularTests(
  project: DbtProject,
  models: Map<string, CompiledModel>,
  selected: Set<string>,
): RenderedTest[] {
  return project.singularTests.flatMap((test) => {
    const node = { name: test.name, file: test.file, fqn: [], raw: test.raw, columns: [], folderConfig: {} };
    const rendered = renderModel(node, {
      project,
      relationOf: (name) => models.get(name)?.relation ?? name,
      incremental: false,
      env: process.env,
      target: TARGET,
    });
    if (!rendered.refs.some((r) => selected.has(r))) return [];
    return [
      {
        name: test.name,
        where: `${test.file}: `,
        sql: rendered.sql.replace(/;\s*$/, ""),
        refs: rendered.refs,
        severity: rendered.config.severity ?? "error",
      },
    ];
  });
}

/** A data test node: skipped when a model it tests failed; a failed column test fails its model. */
async function runDataTest(
  warehouse: Warehouse,
  id: string,
  test: RenderedTest,
  failedModels: Set<string>,
  progress: Progress,
): Promise<NodeResult> {
  if (test.refs.some((r) => failedModels.has(r))) {
    return {
      unique_id: id,
      status: "skipped",
      execution_time: 0,
      message: "a model it tests failed",
      failures: null,
    };
  }
  const result = await runTest(warehouse, id, test.sql, test.severity, test.where, progress);
  if (test.marksFailed && (result.status === "fail" || result.status === "error"))
    failedModels.add(test.marksFailed);
  return result;
}

/** One data test: its SQL returns the failing rows; none is a pass, some a fail (or a warn). */
async function runTest(
  warehouse: Warehouse,
  id: string,
  sql: string,
  severity: "error" | "warn",
  where: string,
  progress: Progress,
): Promise<NodeResult> {
  const t0 = performance.now();
  try {
    const [row] = await warehouse.all<{ failures: string }>(
      `SELECT count(*)::VARCHAR AS failures FROM (${sql})`,
    );
    const failures = Number(row!.failures);
    const status = failures === 0 ? "pass" : severity === "warn" ? "warn" : "fail";
    if (status !== "pass") progress.warn(`${id}: ${failures} failing rows`);
    return {
      unique_id: id,
      status,
      execution_time: secs(t0),
      message: failures ? `${where}Got ${failures} results, configured to fail if != 0` : null,
      failures,
    };
  } catch (error) {
    return {
      unique_id: id,
      status: "error",
      execution_time: secs(t0),
      message: `${where}${(error as Error).message.split("\n")[0]}`,
      failures: null,
    };
  }
}

async function materialize(
  warehouse: Warehouse,
  project: DbtProject,
  models: Map<string, CompiledModel>,
  model: CompiledModel,
  fullRefresh: boolean,
  externalRoot: string | undefined,
): Promise<void> {
  const { relation, config } = model;
  // Its schema exists: buildProject creates every selected model's schema before the DAG runs.
  const [schema, name] = relation.split(".") as [string, string];
  const exists = await warehouse.tableExists(schema, name);
  if (config.materialized === "external") {
    if (!externalRoot) throw new UsageError(`${model.node.file}: external models need an external root`);
    const dir = path.join(externalRoot, name);
    const incremental =
      exists && existsSync(dir) && !fullRefresh && config.unique_key
        ? renderIncremental(project, models, model)
        : undefined;
    await writeExternal(warehouse, relation, dir, model.sql, config, incremental);
    return;
  }
  await warehouse.transaction(async (tx) => {
    if (config.materialized === "view") {
      if (exists) await tx.run(`DROP TABLE IF EXISTS ${relation}`).catch(() => undefined);
      await tx.run(`CREATE OR REPLACE VIEW ${relation} AS ${model.sql}`);
      return;
    }
    if (config.materialized === "incremental" && exists && !fullRefresh) {
      await tx.run(`CREATE OR REPLACE TEMP TABLE _incr AS ${renderIncremental(project, models, model)}`);
      if (config.unique_key) {
        await tx.run(
          `DELETE FROM ${relation} WHERE ${config.unique_key} IN (SELECT ${config.unique_key} FROM _incr)`,
        );
      }
      await tx.run(`INSERT INTO ${relation} BY NAME SELECT * FROM _incr`);
      await tx.run("DROP TABLE _incr");
      return;
    }
    await tx.run(`DROP VIEW IF EXISTS ${relation}`).catch(() => undefined);
    await tx.run(`CREATE OR REPLACE TABLE ${relation} AS ${model.sql}`);
  });
}

/** The model's SQL with is_incremental() true; refs resolve to the relations compileProject gave them. */
function renderIncremental(
  project: DbtProject,
  models: Map<string, CompiledModel>,
  model: CompiledModel,
): string {
  return renderModel(model.node, {
    project,
    relationOf: (n) => models.get(n)?.relation ?? n,
    incremental: true,
    env: process.env,
    target: TARGET,
  }).sql;
}

function writeArtifacts(
  project: DbtProject,
  models: Map<string, CompiledModel>,
  results: NodeResult[],
  started: string,
): void {
  mkdirSync(project.targetPath, { recursive: true });
  const metadata = {
    dbt_schema_version: "https://schemas.getdbt.com/dbt/manifest/v12.json",
    generated_at: new Date().toISOString(),
    adapter_type: "duckdb",
    invocation_started_at: started,
  };
  const nodes = Object.fromEntries(
    [...models.values()].map((m) => [
      modelUniqueId(project, m.node.name),
      {
        unique_id: modelUniqueId(project, m.node.name),
        resource_type: "model",
        name: m.node.name,
        package_name: project.name,
        path: m.node.file.replace(/^models\//, ""),
        original_file_path: m.node.file,
        fqn: [project.name, ...m.node.fqn, m.node.name],
        schema: m.config.schema,
        alias: m.node.name,
        relation_name: m.relation,
        config: {
          materialized: m.config.materialized,
          schema: m.config.schema,
          unique_key: m.config.unique_key ?? null,
          tags: m.config.tags,
        },
        tags: m.config.tags,
        description: m.node.description ?? "",
        columns: Object.fromEntries(
          m.node.columns.map((c) => [
            c.name,
            { name: c.name, description: c.description ?? "", data_type: c.data_type ?? null },
          ]),
        ),
        depends_on: { nodes: m.refs.map((r) => modelUniqueId(project, r)), macros: [] },
        raw_code: m.node.raw,
        compiled_code: m.sql,
      },
    ]),
  );
  const sources = Object.fromEntries(
    project.sources.map((s) => [
      `source.${project.name}.${s.source}.${s.name}`,
      {
        unique_id: `source.${project.name}.${s.source}.${s.name}`,
        resource_type: "source",
        source_name: s.source,
        name: s.name,
        schema: s.schema,
        identifier: s.identifier,
        description: s.description ?? "",
      },
    ]),
  );
  writeFileSync(
    path.join(project.targetPath, "manifest.json"),
    JSON.stringify({ metadata, nodes, sources, macros: {}, parent_map: {}, child_map: {} }, null, 2),
  );
  writeFileSync(
    path.join(project.targetPath, "run_results.json"),
    JSON.stringify(
      {
        metadata: { ...metadata, dbt_schema_version: "https://schemas.getdbt.com/dbt/run-results/v6.json" },
        results: results.map((r) => ({ thread_id: "Thread-1", timing: [], ...r, adapter_response: {} })),
        elapsed_time: (Date.now() - Date.parse(started)) / 1000,
        args: {},
      },
      null,
      2,
    ),
  );
}

function secs(t0: number): number {
  return Math.round(performance.now() - t0) / 1000;
}
