/**
 * Jinja rendering for dbt models through nunjucks (Jinja-compatible for the
 * subset dbt models use): ref, source, config, var, env_var, this, target,
 * is_incremental, model (its name and YAML columns), and the project's macros.
 */
import nunjucks from "nunjucks";
import { ConfigError } from "../errors.ts";
import type { DbtProject, ModelNode } from "./project.ts";

export interface ModelConfig {
  /** external: written as Parquet (dbt-duckdb's materialization), read through a view. */
  materialized: "view" | "table" | "incremental" | "external";
  schema: string;
  unique_key?: string;
  tags: string[];
  /** Singular tests: error (default) or warn. */
  severity?: "error" | "warn";
  /** external: the column the Parquet files are partitioned by (one folder per value). */
  partition_by?: string;
  /** dbt's model contract: when enforced, the YAML's columns and data_types are the relation's shape. */
  contract?: { enforced: boolean };
}

export interface RenderResult {
  sql: string;
  refs: string[];
  sources: [string, string][];
  config: ModelConfig;
}

export interface RenderContext {
  project: DbtProject;
  /** Relation a model lives at, by name (resolved config). */
  relationOf: (model: string) => string;
  incremental: boolean;
  env: NodeJS.ProcessEnv;
  target: { name: string; schema: string; type: string };
}

/** The target our runner builds: profiles.yml's dev output, whose default schema is main. */
export const TARGET = { name: "dev", schema: "main", type: "duckdb" };

const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: false });

// Compiling is most of rendering's cost: the project's macros are compiled once and handed to
// each model as functions, and each model's text is compiled once per process.
const compiled = new Map<string, nunjucks.Template>();
let macros: { source: string; exported: Record<string, unknown> } | undefined;

function template(source: string): nunjucks.Template {
  let found = compiled.get(source);
  if (!found) {
    found = new nunjucks.Template(source, env, undefined, true);
    compiled.set(source, found);
  }
  return found;
}

/**
 * The context a model renders with, while it renders (rendering is synchronous): macros are
 * compiled once, outside any model, and reach the calling model's ref, source, var, env_var and
 * is_incremental through it, so a ref inside a macro is the model's ref (and its edge), as in dbt.
 */
let rendering: Record<string, unknown> | undefined;

const MACRO_CONTEXT = Object.fromEntries(
  ["ref", "source", "var", "env_var", "is_incremental"].map((name) => [
    name,
    (...args: unknown[]) => {
      const fn = rendering?.[name];
      if (typeof fn !== "function") throw new Error(`${name}() is only available while a model renders`);
      return fn(...args);
    },
  ]),
);

function projectMacros(source: string): Record<string, unknown> {
  if (macros?.source !== source) {
    let exported: Record<string, unknown> = {};
    // Not in nunjucks' type definitions: a template's top-level macros, as callables.
    const exporting = template(source) as unknown as {
      getExported(
        ctx: Record<string, unknown>,
        cb: (error: Error | null, result: Record<string, unknown>) => void,
      ): void;
    };
    exporting.getExported(MACRO_CONTEXT, (error, result) => {
      if (error) throw error;
      exported = result;
    });
    macros = { source, exported };
  }
  return macros.exported;
}

/**
 * Jinja calls a dict's values() / items() / keys(); nunjucks has no such methods on objects, so
 * a dict handed to a template carries them, not enumerable (they are not entries), at every depth.
 */
function jinjaValue<T>(value: T): T {
  if (Array.isArray(value)) return value.map(jinjaValue) as T;
  if (value === null || typeof value !== "object") return value;
  const dict: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) dict[key] = jinjaValue(inner);
  const methods = {
    values: () => Object.values(dict),
    items: () => Object.entries(dict),
    keys: () => Object.keys(dict),
  };
  for (const [name, method] of Object.entries(methods))
    Object.defineProperty(dict, name, { value: method, enumerable: false });
  return dict as T;
}

/** dbt's `model` variable, the part templates use: its name and its YAML columns, a dict by name in YAML order. */
function modelVariable(model: ModelNode) {
  const columns: Record<string, { name: string; description: string; data_type: string | null }> = {};
  for (const c of model.columns)
    columns[c.name] = { name: c.name, description: c.description ?? "", data_type: c.data_type ?? null };
  return { name: model.name, columns: jinjaValue(columns) };
}

/** Nunjucks passes keyword arguments as a trailing object marked __keywords. */
function kwargs(args: unknown[]): Record<string, unknown> {
  const last = args[args.length - 1] as Record<string, unknown> | undefined;
  if (last && typeof last === "object" && last.__keywords) {
    const { __keywords, ...rest } = last;
    return rest;
  }
  return {};
}

export function renderModel(model: ModelNode, ctx: RenderContext): RenderResult {
  const refs: string[] = [];
  const sources: [string, string][] = [];
  const config: ModelConfig = {
    materialized: (model.folderConfig.materialized as ModelConfig["materialized"]) ?? "view",
    schema: String(model.folderConfig.schema ?? ctx.target.schema),
    tags: ([] as string[]).concat((model.folderConfig.tags as string[]) ?? []),
  };
  const contract = model.folderConfig.contract as ModelConfig["contract"] | undefined;
  if (contract) config.contract = { enforced: Boolean(contract.enforced) };
  const context = {
    ...projectMacros(ctx.project.macros),
    ref: (name: string) => {
      if (!ctx.project.models.has(name) && !ctx.project.seeds.has(name)) {
        throw new ConfigError(model.file, `ref('${name}')`, "no such model or seed");
      }
      refs.push(name);
      return ctx.relationOf(name);
    },
    source: (sourceName: string, table: string) => {
      const found = ctx.project.sources.find((s) => s.source === sourceName && s.name === table);
      if (!found) throw new ConfigError(model.file, `source('${sourceName}', '${table}')`, "no such source");
      sources.push([sourceName, table]);
      return `${found.schema}.${found.identifier}`;
    },
    config: (...args: unknown[]) => {
      const kw = kwargs(args);
      if (kw.materialized) config.materialized = kw.materialized as ModelConfig["materialized"];
      if (kw.schema) config.schema = String(kw.schema);
      if (kw.unique_key) config.unique_key = String(kw.unique_key);
      const options = kw.options as Record<string, unknown> | undefined;
      if (options?.partition_by) config.partition_by = String(options.partition_by);
      if (kw.severity) config.severity = String(kw.severity).toLowerCase() === "warn" ? "warn" : "error";
      if (kw.tags) config.tags.push(...([] as string[]).concat(kw.tags as string[]));
      const contract = kw.contract as ModelConfig["contract"] | undefined;
      if (contract) config.contract = { enforced: Boolean(contract.enforced) };
      return "";
    },
    var: (name: string, fallback?: unknown) => {
      if (name in ctx.project.vars) return jinjaValue(ctx.project.vars[name]);
      if (fallback === undefined)
        throw new ConfigError(model.file, `var('${name}')`, "not defined in dbt_project.yml vars");
      return jinjaValue(fallback);
    },
    env_var: (name: string, fallback?: string) => {
      const value = ctx.env[name] ?? fallback;
      if (value === undefined)
        throw new ConfigError(model.file, `env_var('${name}')`, "environment variable is not set");
      return value;
    },
    is_incremental: () => ctx.incremental,
    model: modelVariable(model),
    this: ctx.relationOf(model.name),
    target: ctx.target,
  };
  let sql: string;
  const outer = rendering;
  rendering = context;
  try {
    sql = template(model.raw).render(context).trim();
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(
      model.file,
      "",
      `template error: ${(error as Error).message.split("\n").slice(-1)[0]}`,
    );
  } finally {
    rendering = outer;
  }
  return { sql, refs: [...new Set(refs)], sources, config };
}

/**
 * One of the project's macros called from TypeScript with SQL-expression arguments, e.g.
 * renderMacro(project, "parse_timestamp", '"usage_date"'): where code outside the models must
 * parse exactly as the models do (ingest's validation), it uses the models' own definition.
 */
export function renderMacro(project: DbtProject, name: string, ...args: unknown[]): string {
  const macro = projectMacros(project.macros)[name];
  if (typeof macro !== "function") throw new ConfigError("macros", name, "no such macro");
  return String((macro as (...a: unknown[]) => unknown)(...args)).trim();
}
