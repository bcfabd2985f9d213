/**
 * The models' dependency graph, as dbt builds it when it parses a project: each model is rendered
 * once and its edges are the refs the template actually called. A ref in a Jinja comment or in a
 * branch not taken is no edge; `-- depends_on: {{ ref('x') }}` (a SQL comment) is one, as in dbt.
 */
import { UsageError } from "../errors.ts";
import type { DbtProject, ModelNode } from "./project.ts";
import { type ModelConfig, renderModel } from "./render.ts";

export interface ParsedModel {
  node: ModelNode;
  /** Models it refs, in call order, each once. */
  refs: string[];
  sources: [string, string][];
  /** Its resolved config (the schema it lands in, its materialization, …). */
  config: ModelConfig;
}

/**
 * Every model rendered once. A ref resolves to the model's folder schema here: the final
 * relation can depend on another model's config(schema=...), which only this pass reveals.
 */
export function parseModels(
  project: DbtProject,
  env: NodeJS.ProcessEnv = process.env,
): Map<string, ParsedModel> {
  const relationOf = (name: string) =>
    project.seeds.get(name)?.relation ??
    `${String(project.models.get(name)?.folderConfig.schema ?? project.target.schema)}.${name}`;
  const parsed = new Map<string, ParsedModel>();
  for (const node of project.models.values()) {
    const r = renderModel(node, { project, relationOf, incremental: false, env });
    parsed.set(node.name, { node, refs: r.refs, sources: r.sources, config: r.config });
  }
  return parsed;
}

/** Each node's parents (the models and seeds it refs), the graph's edges. */
export function parentsOf(parsed: Map<string, ParsedModel>): Map<string, string[]> {
  return new Map([...parsed].map(([name, model]) => [name, model.refs]));
}

/** The other way round: each node's children, in the parents map's order. */
export function childrenOf(parents: Map<string, readonly string[]>): Map<string, string[]> {
  const children = new Map<string, string[]>();
  for (const [child, ps] of parents) for (const p of ps) children.set(p, [...(children.get(p) ?? []), child]);
  return children;
}

/**
 * Names in dependency order, parents first: a depth-first walk from each name in sorted order,
 * so the order does not depend on how the files were listed. A cycle is an error naming its models.
 */
export function dependencyOrder(parents: Map<string, readonly string[]>): string[] {
  const order: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string, trail: string[]) => {
    if (state.get(name) === "done") return;
    if (state.get(name) === "visiting") {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      throw new UsageError(`dependency cycle in models: ${cycle.join(" -> ")}`);
    }
    state.set(name, "visiting");
    for (const parent of parents.get(name) ?? []) if (parents.has(parent)) visit(parent, [...trail, name]);
    state.set(name, "done");
    order.push(name);
  };
  for (const name of [...parents.keys()].sort()) visit(name, []);
  return order;
}

/** The project's models in dependency order (renders each model once). */
export function topoSort(project: DbtProject, env: NodeJS.ProcessEnv = process.env): ModelNode[] {
  return dependencyOrder(parentsOf(parseModels(project, env))).map((name) => project.models.get(name)!);
}
