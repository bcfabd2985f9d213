/**
 * dbt's compile step: every model rendered with the final relation of each model it refs, in
 * dependency order. Rendering twice is the price of config(schema=...): a ref can only name
 * another model's relation once that model's own template has been read (graph.ts, the parse).
 */
import { dependencyOrder, parentsOf, parseModels } from "./graph.ts";
import type { DbtProject, ModelNode } from "./project.ts";
import {
  type ModelConfig,
  QueryNeeded,
  type QueryTable,
  queryTable,
  type RenderResult,
  renderModel,
} from "./render.ts";

export interface CompiledModel {
  node: ModelNode;
  sql: string;
  /** Models and seeds it refs. */
  refs: string[];
  /** Sources it reads, as [source name, table] (the manifest's depends_on). */
  sources: [string, string][];
  config: ModelConfig;
  relation: string;
}

/** Every model compiled, in dependency order (a Map keeps it); a cycle is an error naming its models. */
export function compileProject(
  project: DbtProject,
  env: NodeJS.ProcessEnv = process.env,
): Map<string, CompiledModel> {
  const parsed = parseModels(project, env);
  const relationOf = (name: string) =>
    project.seeds.get(name)?.relation ?? `${parsed.get(name)!.config.schema}.${name}`;
  const compiled = new Map<string, CompiledModel>();
  for (const name of dependencyOrder(parentsOf(parsed))) {
    const node = project.models.get(name)!;
    const r = renderModel(node, { project, relationOf, incremental: false, env });
    compiled.set(name, {
      node,
      sql: r.sql,
      refs: r.refs,
      sources: r.sources,
      config: r.config,
      relation: relationOf(name),
    });
  }
  return compiled;
}

/**
 * A model's or singular test's template rendered against the compiled relations, e.g. a model with
 * is_incremental() true for an incremental run (its own config(schema=...) included).
 */
export function renderCompiled(
  project: DbtProject,
  models: Map<string, CompiledModel>,
  node: ModelNode,
  incremental: boolean,
  queries?: Map<string, QueryTable>,
): RenderResult {
  return renderModel(node, {
    project,
    relationOf: (name) => models.get(name)?.relation ?? project.seeds.get(name)?.relation ?? name,
    incremental,
    env: process.env,
    queries,
  });
}

/**
 * renderCompiled in dbt's execute phase: execute is true and each run_query's rows come from
 * `run` (the template is rendered again after each query it asks for; a query is run once).
 */
export async function renderExecuted(
  project: DbtProject,
  models: Map<string, CompiledModel>,
  node: ModelNode,
  incremental: boolean,
  run: (sql: string) => Promise<Record<string, unknown>[]>,
): Promise<RenderResult> {
  const queries = new Map<string, QueryTable>();
  for (;;) {
    try {
      return renderCompiled(project, models, node, incremental, queries);
    } catch (error) {
      if (!(error instanceof QueryNeeded)) throw error;
      queries.set(error.sql, queryTable(await run(error.sql)));
    }
  }
}
