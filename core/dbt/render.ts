/**
 * Jinja rendering for dbt models through nunjucks (Jinja-compatible for the
 * subset dbt models use): ref, source, config, var, env_var, this, target,
 * is_incremental, invocation_id, model (its name and YAML columns), adapter.dispatch and
 * adapter.quote, return, execute and run_query, and the project's macros.
 */
import nunjucks from "nunjucks";
import { ConfigError } from "../errors.ts";
import type { DbtProject, ModelNode, SourceTable } from "./project.ts";
import { type Target, targetVariable } from "./target.ts";

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
  /**
   * incremental: delete+insert (the default: rows sharing a unique_key value are replaced) or
   * merge (BigQuery: a MERGE on a unique_key that is unique per row).
   */
  incremental_strategy?: "delete+insert" | "merge";
  /** BigQuery tables (dbt-bigquery's config): the partitioning column and its granularity. */
  bigquery_partition_by?: { field: string; data_type?: string; granularity?: string };
  /** BigQuery tables: up to four clustering columns. */
  cluster_by?: string[];
  /** dbt's model contract: when enforced, the YAML's columns and data_types are the relation's shape. */
  contract?: { enforced: boolean };
  /**
   * dbt's full_refresh: true builds the model whole on every run, false never (not even with
   * --full-refresh); unset follows the flag. Set as the model renders at build time, so it may
   * depend on run_query.
   */
  full_refresh?: boolean;
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
  /** Default: the project's target. */
  target?: Target;
  /**
   * dbt's execute phase: `execute` is true and run_query returns the query's rows, from these
   * results (renderExecuted fills them). Without it (parse and compile) execute is false and
   * run_query returns none, as in dbt's parse.
   */
  queries?: Map<string, QueryTable>;
}

/** What dbt's run_query returns (an agate table): rows (by position or name), column_names, columns[i].values(). */
export interface QueryTable {
  column_names: string[];
  rows: unknown[][];
  columns: { name: string; values(): unknown[] }[];
}

export function queryTable(rows: Record<string, unknown>[]): QueryTable {
  const names = rows[0] ? Object.keys(rows[0]) : [];
  return {
    column_names: names,
    rows: rows.map((row) =>
      Object.assign(
        names.map((n) => row[n]),
        row,
      ),
    ),
    columns: names.map((name) => ({ name, values: () => rows.map((row) => row[name]) })),
  };
}

/**
 * Thrown by run_query for a query whose rows are not in the render's results yet: the renderer
 * runs it and renders again (rendering is synchronous; queries are not).
 */
export class QueryNeeded extends Error {
  constructor(readonly sql: string) {
    super(`run_query needs: ${sql}`);
  }
}

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
/** The query run_query asked for while the current model rendered. */
let needed: QueryNeeded | undefined;

/** dbt's `return()`: a macro's value handed back as it is. */
const returnValue = (value: unknown) => value;

/** dbt's exceptions.raise_compiler_error: a template that cannot compile for this target. */
function raiseCompilerError(message: string): never {
  throw new ConfigError("macros", "", String(message));
}

const MACRO_CONTEXT: Record<string, unknown> = {
  ...Object.fromEntries(
    ["ref", "source", "var", "env_var", "is_incremental", "run_query"].map((name) => [
      name,
      (...args: unknown[]) => {
        const fn = rendering?.[name];
        if (typeof fn !== "function") throw new Error(`${name}() is only available while a model renders`);
        return fn(...args);
      },
    ]),
  ),
  return: returnValue,
  exceptions: { raise_compiler_error: raiseCompilerError },
  // The rendering model's target and adapter, read when a macro runs (macros are compiled once).
  target: new Proxy({}, { get: (_, key) => (rendering?.target as Record<string | symbol, unknown>)?.[key] }),
  adapter: {
    dispatch: (...args: unknown[]) => renderingAdapter().dispatch(...(args as [string])),
    quote: (name: string) => renderingAdapter().quote(name),
  },
};

function renderingAdapter(): Adapter {
  const adapter = rendering?.adapter as Adapter | undefined;
  if (!adapter) throw new Error("adapter is only available while a model renders");
  return adapter;
}

/** dbt's `adapter` in templates: the macro for this adapter (dispatch) and identifier quoting. */
interface Adapter {
  dispatch(name: string, namespace?: string): unknown;
  quote(identifier: string): string;
}

/**
 * adapter.dispatch as dbt documents it: `<adapter>__<name>`, else `default__<name>`, among the
 * project's macros. A namespace other than the project's (or dbt's, whose cross-database macros
 * the project defines itself) is a package this runner does not have.
 */
function adapterFor(project: DbtProject, target: Target): Adapter {
  return {
    dispatch(name: string, namespace?: string) {
      if (namespace && namespace !== project.name && namespace !== "dbt")
        throw new ConfigError(
          "macros",
          name,
          `adapter.dispatch: no package ${namespace} (packages are not supported)`,
        );
      const macros = projectMacros(project.macros);
      for (const candidate of [`${target.type}__${name}`, `default__${name}`]) {
        if (typeof macros[candidate] === "function") return macros[candidate];
      }
      throw new ConfigError(
        "macros",
        name,
        `adapter.dispatch: no ${target.type}__${name} or default__${name} macro`,
      );
    },
    quote: (identifier: string) =>
      target.type === "bigquery"
        ? `\`${identifier.replaceAll("`", "\\`")}\``
        : `"${identifier.replaceAll('"', '""')}"`,
  };
}

/** A source's relation as the target names it: BigQuery with the project, when the source names one. */
export function sourceRelation(source: SourceTable, target: Target): string {
  if (source.database && target.type === "bigquery")
    return `\`${source.database}.${source.schema}.${source.identifier}\``;
  return `${source.schema}.${source.identifier}`;
}

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
  const target = ctx.target ?? ctx.project.target;
  const refs: string[] = [];
  const sources: [string, string][] = [];
  const config: ModelConfig = {
    materialized: (model.folderConfig.materialized as ModelConfig["materialized"]) ?? "view",
    schema: String(model.folderConfig.schema ?? target.schema),
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
      return sourceRelation(found, target);
    },
    config: (...args: unknown[]) => {
      const kw = kwargs(args);
      if (kw.materialized) config.materialized = kw.materialized as ModelConfig["materialized"];
      if (kw.schema) config.schema = String(kw.schema);
      if (kw.unique_key) config.unique_key = String(kw.unique_key);
      if (kw.incremental_strategy) {
        const strategy = String(kw.incremental_strategy);
        if (strategy !== "delete+insert" && strategy !== "merge")
          throw new ConfigError(
            model.file,
            "incremental_strategy",
            `'${strategy}' is not delete+insert or merge`,
          );
        config.incremental_strategy = strategy;
      }
      const partitionBy = kw.partition_by as ModelConfig["bigquery_partition_by"] | string | undefined;
      if (partitionBy && typeof partitionBy === "object") config.bigquery_partition_by = partitionBy;
      if (kw.cluster_by) config.cluster_by = ([] as string[]).concat(kw.cluster_by as string[]).map(String);
      const options = kw.options as Record<string, unknown> | undefined;
      if (options?.partition_by) config.partition_by = String(options.partition_by);
      if (kw.severity) config.severity = String(kw.severity).toLowerCase() === "warn" ? "warn" : "error";
      if (kw.tags) config.tags.push(...([] as string[]).concat(kw.tags as string[]));
      const contract = kw.contract as ModelConfig["contract"] | undefined;
      if (contract) config.contract = { enforced: Boolean(contract.enforced) };
      if (typeof kw.full_refresh === "boolean") config.full_refresh = kw.full_refresh;
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
    invocation_id: ctx.project.invocationId,
    execute: ctx.queries !== undefined,
    run_query: (sql: string) => {
      if (!ctx.queries) return undefined;
      const key = String(sql).trim();
      const found = ctx.queries.get(key);
      if (found) return found;
      needed = new QueryNeeded(key);
      throw needed;
    },
    model: modelVariable(model),
    this: ctx.relationOf(model.name),
    target: targetVariable(target),
    adapter: adapterFor(ctx.project, target),
    return: returnValue,
    exceptions: { raise_compiler_error: raiseCompilerError },
  };
  let sql: string;
  const outer = rendering;
  rendering = context;
  needed = undefined;
  try {
    sql = template(model.raw).render(context).trim();
  } catch (error) {
    // nunjucks wraps what a function throws in its own error: the query is kept aside.
    if (needed) throw needed;
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
  // Outside a model: the project's target and adapter, so a macro may dispatch.
  const outer = rendering;
  rendering = { target: targetVariable(project.target), adapter: adapterFor(project, project.target) };
  try {
    return String((macro as (...a: unknown[]) => unknown)(...args)).trim();
  } finally {
    rendering = outer;
  }
}
