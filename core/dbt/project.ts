/**
 * Reads a dbt project: dbt_project.yml, models/**.sql, macros, and the schema
 * YAML beside the models (sources, model docs, column tests).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { ConfigError } from "../errors.ts";
import { YamlCache } from "./partial-parse.ts";

export interface ColumnTest {
  name: "unique" | "not_null" | "accepted_values" | "relationships";
  args: Record<string, unknown>;
  severity: "error" | "warn";
}

export interface ColumnSpec {
  name: string;
  description?: string;
  data_type?: string;
  tests: ColumnTest[];
}

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
  sources: SourceTable[];
  singularTests: SingularTest[];
  macros: string;
  vars: Record<string, unknown>;
  /** How many nodes run at once: the profile target's `threads` (profiles.yml beside the project), else 1. */
  threads: number;
}

/** A node's unique id in dbt's manifest and run results, e.g. model.cco.focus_costs. */
export function uniqueId(project: DbtProject, resourceType: "model" | "test", name: string): string {
  return `${resourceType}.${project.name}.${name}`;
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
  const folderConfigs = (project.models?.[name] ?? {}) as Record<string, unknown>;
  const targetPath = path.join(root, project["target-path"] ?? "target");
  const yaml = new YamlCache(path.join(targetPath, "partial_parse.json"));
  const models = new Map<string, ModelNode>();
  const sources: SourceTable[] = [];
  const docs = new Map<
    string,
    { description?: string; columns: ColumnSpec[]; config?: Record<string, unknown>; file: string }
  >();

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
      }
    }
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

function listFiles(dir: string): string[] {
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return [];
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** dbt's folder-level `+key: value` config, inherited down the folder tree. */
function folderConfig(tree: Record<string, unknown>, fqn: string[]): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  let node: Record<string, unknown> | undefined = tree;
  const apply = (n: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(n)) if (k.startsWith("+")) config[k.slice(1)] = v;
  };
  apply(node);
  for (const part of fqn) {
    node = node?.[part] as Record<string, unknown> | undefined;
    if (!node) break;
    apply(node);
  }
  return config;
}

function parseColumns(columns: unknown, file: string): ColumnSpec[] {
  if (!Array.isArray(columns)) return [];
  return columns.map((c: any) => ({
    name: String(c.name),
    description: c.description,
    data_type: c.data_type,
    tests: [...(c.data_tests ?? []), ...(c.tests ?? [])].map((t: unknown) => parseTest(t, file, c.name)),
  }));
}

function parseTest(test: unknown, file: string, column: string): ColumnTest {
  if (typeof test === "string") return { name: test as ColumnTest["name"], args: {}, severity: "error" };
  const [name, body] = Object.entries(test as Record<string, any>)[0] ?? [];
  if (!name || !["unique", "not_null", "accepted_values", "relationships"].includes(name)) {
    throw new ConfigError(file, column, `unknown test ${name}`);
  }
  const { config, ...args } = (body ?? {}) as Record<string, any>;
  const severity =
    String(config?.severity ?? body?.severity ?? "error").toLowerCase() === "warn" ? "warn" : "error";
  delete args.severity;
  return { name: name as ColumnTest["name"], args, severity };
}
