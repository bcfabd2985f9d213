/**
 * Reads a dbt project: dbt_project.yml, models/**.sql, macros, seeds (seeds/**.csv), and the
 * schema YAML beside the models and seeds (sources, model and seed docs, column tests).
 */
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { ConfigError } from "../errors.ts";
import { YamlCache } from "./partial-parse.ts";
import { type ColumnSpec, folderConfig, listFiles, parseColumns } from "./properties.ts";
import { TARGET } from "./render.ts";
import { collectSeedProperties, loadSeeds, type SeedNode, type SeedProperties } from "./seeds.ts";

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
  schema: string;
  identifier: string;
  description?: string;
  columns: ColumnSpec[];
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

export function loadProject(root: string): DbtProject {
  const projectFile = path.join(root, "dbt_project.yml");
  const project = parseYaml(readFileSync(projectFile, "utf8")) as Record<string, any>;
  const name = String(project.name);
  const modelPaths: string[] = project["model-paths"] ?? ["models"];
  const macroPaths: string[] = project["macro-paths"] ?? ["macros"];
  const testPaths: string[] = project["test-paths"] ?? ["tests"];
  const seedPaths: string[] = project["seed-paths"] ?? ["seeds"];
  const folderConfigs = (project.models?.[name] ?? {}) as Record<string, unknown>;
  const targetPath = path.join(root, project["target-path"] ?? "target");
  const yaml = new YamlCache(path.join(targetPath, "partial_parse.json"));
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
        for (const source of doc.sources ?? []) {
          for (const table of source.tables ?? []) {
            sources.push({
              source: source.name,
              name: table.name,
              schema: source.schema ?? source.name,
              identifier: table.identifier ?? table.name,
              description: table.description,
              columns: parseColumns(table.columns, rel),
            });
          }
        }
        for (const model of doc.models ?? []) {
          docs.set(model.name, {
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
  const seeds = loadSeeds(root, seedPaths, seedTree, seedProperties, TARGET.schema);
  for (const seed of seeds.values()) {
    // A ref names one node: dbt refuses a seed and a model of the same name.
    if (models.has(seed.name)) throw new ConfigError(seed.file, "", `a model is also named ${seed.name}`);
  }
  for (const [modelName, doc] of docs) {
    const model = models.get(modelName);
    if (!model) throw new ConfigError("models", modelName, "documented in YAML but no such model file");
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
    vars: project.vars ?? {},
    threads: profileThreads(root, String(project.profile ?? name), yaml),
  };
  yaml.save();
  return loaded;
}

/** The `threads` of the profile's target in profiles.yml beside the project (dbt's default: 1). */
function profileThreads(root: string, profile: string, yaml: YamlCache): number {
  const file = path.join(root, "profiles.yml");
  if (!statSync(file, { throwIfNoEntry: false })?.isFile()) return 1;
  const profiles = (yaml.parse(file) ?? {}) as Record<string, Record<string, unknown>>;
  const entry = profiles[profile] as
    | { target?: string; outputs?: Record<string, { threads?: unknown }> }
    | undefined;
  const threads = Number(entry?.outputs?.[entry.target ?? "dev"]?.threads ?? 1);
  if (!Number.isInteger(threads) || threads < 1) {
    throw new ConfigError(
      path.relative(root, file),
      `${profile}.threads`,
      "must be a whole number of at least 1",
    );
  }
  return threads;
}
