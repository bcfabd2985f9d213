/**
 * Reads a dbt project: dbt_project.yml, models/**.sql, macros, seeds (seeds/**.csv), and the
 * schema YAML beside the models and seeds (sources, model and seed docs, column tests).
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import nunjucks from "nunjucks";
import { parse as parseYaml } from "yaml";
import { ConfigError } from "../errors.ts";
import { YamlCache } from "./partial-parse.ts";
import { type ColumnSpec, folderConfig, listFiles, listOf, nameOf, parseColumns } from "./properties.ts";
import { collectSeedProperties, loadSeeds, type SeedNode, type SeedProperties } from "./seeds.ts";
import { loadTarget, type Target, targetVariable } from "./target.ts";

export type { ColumnSpec, ColumnTest } from "./properties.ts";

export interface ModelNode {
  name: string;
  /** Path relative to the project root. */
  file: string;
  /** Folder path under models/, e.g. ["staging", "aws"]. */
  fqn: string[];
  raw: string;
  description?: string;
  columns: ColumnSpec[];
  /**
   * dbt_project.yml's `+key` config for the model's folder, with the `config:` of its YAML entry
   * over it (dbt's precedence; config() in the SQL overrides both when rendered).
   */
  folderConfig: Record<string, unknown>;
  /** The YAML file that documents the model (dbt's patch_path), if any. */
  patchPath?: string;
}

export interface SourceTable {
  source: string;
  name: string;
  /** BigQuery: the project holding the table, when not the target's (dbt's source database). */
  database?: string;
  schema: string;
  identifier: string;
  description?: string;
  columns: ColumnSpec[];
  /** dbt's meta: the source's, with the table's over it. */
  meta: Record<string, unknown>;
}

/** A singular test: a SELECT in tests/ that returns the rows breaking an assertion. */
export interface SingularTest {
  name: string;
  file: string;
  raw: string;
}

export interface DbtProject {
  root: string;
  name: string;
  targetPath: string;
  models: Map<string, ModelNode>;
  /** CSV files loaded as tables; models ref them as they ref models. */
  seeds: Map<string, SeedNode>;
  sources: SourceTable[];
  singularTests: SingularTest[];
  macros: string;
  vars: Record<string, unknown>;
  /** How many nodes run at once: the profile target's `threads` (profiles.yml beside the project), else 1. */
  threads: number;
  /** The profile's output the project is compiled for and built on (profiles.yml; DuckDB without one). */
  target: Target;
  /** dbt's invocation_id: a UUID per load of the project (one `cco` command), in Jinja and the artifacts. */
  invocationId: string;
}

/** A node's unique id in dbt's manifest and run results, e.g. model.cco.focus_costs. */
export function uniqueId(project: DbtProject, resourceType: "model" | "test" | "seed", name: string): string {
  return `${resourceType}.${project.name}.${name}`;
}

/** The unique id of what a ref names: a seed's (seed.cco.x) or a model's. */
export function refId(project: DbtProject, name: string): string {
  return uniqueId(project, project.seeds.has(name) ? "seed" : "model", name);
}

/** A source table's unique id, e.g. source.cco.aws.cur2. */
export function sourceId(project: DbtProject, source: string, table: string): string {
  return `source.${project.name}.${source}.${table}`;
}

export interface LoadOptions {
  /** The profile's output to use (dbt's --target); default the profile's `target:`. */
  target?: string;
  env?: NodeJS.ProcessEnv;
}

export function loadProject(root: string, options: LoadOptions = {}): DbtProject {
  const projectFile = path.join(root, "dbt_project.yml");
  const project = parseYaml(readFileSync(projectFile, "utf8")) as Record<string, any>;
  const name = String(project.name);
  const env = options.env ?? process.env;
  const modelPaths: string[] = project["model-paths"] ?? ["models"];
  const macroPaths: string[] = project["macro-paths"] ?? ["macros"];
  const testPaths: string[] = project["test-paths"] ?? ["tests"];
  const seedPaths: string[] = project["seed-paths"] ?? ["seeds"];
  const folderConfigs = (project.models?.[name] ?? {}) as Record<string, unknown>;
  const targetPath = path.join(root, project["target-path"] ?? "target");
  const yaml = new YamlCache(path.join(targetPath, "partial_parse.json"));
  const target = loadTarget(root, String(project.profile ?? name), yaml, options);
  const vars = (project.vars ?? {}) as Record<string, unknown>;
  // dbt renders a source's database, schema and identifier (e.g. per target, from env_var).
  const sourceField = (value: unknown, file: string) =>
    renderSourceField(value, { target: targetVariable(target), env, vars, file });
  const models = new Map<string, ModelNode>();
  const sources: SourceTable[] = [];
  const docs = new Map<
    string,
    { description?: string; columns: ColumnSpec[]; config?: Record<string, unknown>; file: string }
  >();
  const seedProperties = new Map<string, SeedProperties>();

  for (const modelPath of modelPaths) {
    for (const file of listFiles(path.join(root, modelPath))) {
      const rel = path.relative(root, file);
      if (file.endsWith(".sql")) {
        const modelName = path.basename(file, ".sql");
        if (models.has(modelName)) throw new ConfigError(rel, "", `duplicate model name ${modelName}`);
        const fqn = path
          .relative(path.join(root, modelPath), path.dirname(file))
          .split(path.sep)
          .filter(Boolean);
        models.set(modelName, {
          name: modelName,
          file: rel,
          fqn,
          raw: readFileSync(file, "utf8"),
          columns: [],
          folderConfig: folderConfig(folderConfigs, fqn),
        });
      } else if (/\.ya?ml$/.test(file)) {
        const doc = (yaml.parse(file) ?? {}) as Record<string, any>;
        if (typeof doc !== "object" || Array.isArray(doc))
          throw new ConfigError(rel, "", "expected a mapping");
        for (const [i, source] of listOf(doc.sources, rel, "sources").entries()) {
          nameOf(source, rel, `sources[${i}]`);
          for (const [j, table] of listOf(source.tables, rel, `${source.name}.tables`).entries()) {
            nameOf(table, rel, `${source.name}.tables[${j}]`);
            const database = sourceField(source.database, rel);
            sources.push({
              source: source.name,
              name: table.name,
              ...(database ? { database } : {}),
              schema: sourceField(source.schema ?? source.name, rel)!,
              identifier: sourceField(table.identifier ?? table.name, rel)!,
              description: table.description,
              columns: parseColumns(table.columns, rel),
              meta: { ...(source.meta ?? {}), ...(table.meta ?? {}) },
            });
          }
        }
        for (const [i, model] of listOf(doc.models, rel, "models").entries()) {
          const config = model.config;
          if (
            config !== undefined &&
            config !== null &&
            (typeof config !== "object" || Array.isArray(config))
          )
            throw new ConfigError(rel, `${model.name}.config`, "expected a mapping");
          docs.set(nameOf(model, rel, `models[${i}]`), {
            description: model.description,
            columns: parseColumns(model.columns, rel),
            config: model.config,
            file: rel,
          });
        }
        collectSeedProperties(doc, rel, seedProperties);
      }
    }
  }
  // dbt reads seed properties from YAML under the seed paths too.
  for (const file of seedPaths.flatMap((p) => listFiles(path.join(root, p)))) {
    if (/\.ya?ml$/.test(file))
      collectSeedProperties(yaml.parse(file), path.relative(root, file), seedProperties);
  }
  const seedTree = (project.seeds?.[name] ?? {}) as Record<string, unknown>;
  const seeds = loadSeeds(root, seedPaths, seedTree, seedProperties, target.schema);
  for (const seed of seeds.values()) {
    // A ref names one node: dbt refuses a seed and a model of the same name.
    if (models.has(seed.name)) throw new ConfigError(seed.file, "", `a model is also named ${seed.name}`);
  }
  for (const [modelName, doc] of docs) {
    const model = models.get(modelName);
    if (!model) throw new ConfigError(doc.file, modelName, "documented in YAML but no such model file");
    model.description = doc.description;
    model.columns = doc.columns;
    model.patchPath = doc.file;
    const { tags, ...config } = doc.config ?? {};
    Object.assign(model.folderConfig, config);
    // Tags add up down the levels, as dbt's do.
    if (tags) model.folderConfig.tags = ([] as unknown[]).concat(model.folderConfig.tags ?? [], tags);
  }
  const macros = macroPaths
    .flatMap((p) => listFiles(path.join(root, p)))
    .filter((f) => f.endsWith(".sql"))
    .map((f) => readFileSync(f, "utf8"))
    .join("\n");
  const loaded: DbtProject = {
    root,
    name,
    targetPath,
    models,
    seeds,
    sources,
    singularTests: testPaths
      .flatMap((p) => listFiles(path.join(root, p)))
      .filter((f) => f.endsWith(".sql"))
      .map((f) => ({
        name: path.basename(f, ".sql"),
        file: path.relative(root, f),
        raw: readFileSync(f, "utf8"),
      })),
    macros,
    vars,
    threads: target.threads,
    target,
    invocationId: randomUUID(),
  };
  yaml.save();
  return loaded;
}

const sourceEnv = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: false });

/** A source's database, schema or identifier, its Jinja rendered with target, var and env_var; undefined when empty. */
function renderSourceField(
  value: unknown,
  ctx: {
    target: Record<string, unknown>;
    env: NodeJS.ProcessEnv;
    vars: Record<string, unknown>;
    file: string;
  },
): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = String(value);
  if (!text.includes("{{") && !text.includes("{%")) return text || undefined;
  try {
    const rendered = sourceEnv
      .renderString(text, {
        target: ctx.target,
        var: (name: string, fallback?: unknown) => (name in ctx.vars ? ctx.vars[name] : fallback),
        env_var: (name: string, fallback?: string) => ctx.env[name] ?? fallback ?? "",
      })
      .trim();
    return rendered || undefined;
  } catch (error) {
    throw new ConfigError(
      ctx.file,
      text,
      `template error: ${(error as Error).message.split("\n").slice(-1)[0]}`,
    );
  }
}
