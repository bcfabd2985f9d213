/**
 * dbt's targets: the outputs of the project's profile in profiles.yml beside the project, one of
 * them chosen (--target, else the profile's `target:`). A target says which warehouse the models
 * are built on (`type`: duckdb or bigquery) and how to reach it; templates see it as `target`.
 * String values may call env_var(), as in dbt (keyfile paths, projects).
 */
import { statSync } from "node:fs";
import path from "node:path";
import nunjucks from "nunjucks";
import { ConfigError } from "../errors.ts";
import type { YamlCache } from "./partial-parse.ts";

export const ADAPTERS = ["duckdb", "bigquery"] as const;
export type AdapterType = (typeof ADAPTERS)[number];

export interface Target {
  /** The output's name in profiles.yml (dev, bigquery, …). */
  name: string;
  type: AdapterType;
  /** The default schema (BigQuery: the dataset). */
  schema: string;
  threads: number;
  profile_name: string;
  /** BigQuery: the GCP project jobs run in and tables live in. */
  project?: string;
  dataset?: string;
  location?: string;
  /** BigQuery: oauth (the standard credential chain) or service-account (keyfile). */
  method?: string;
  keyfile?: string;
  /** BigQuery: another endpoint than Google's (a local server in tests). */
  api_endpoint?: string;
  /** DuckDB: the database file. */
  path?: string;
}

/** The target when a project has no profiles.yml: DuckDB, whose default schema is main. */
export const DEFAULT_TARGET: Target = {
  name: "dev",
  type: "duckdb",
  schema: "main",
  threads: 1,
  profile_name: "default",
};

const yamlEnv = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: false });

/** The chosen output of the profile, its strings rendered with env_var(). */
export function loadTarget(
  root: string,
  profile: string,
  yaml: YamlCache,
  options: { target?: string; env?: NodeJS.ProcessEnv } = {},
): Target {
  const file = path.join(root, "profiles.yml");
  const rel = path.relative(root, file);
  if (!statSync(file, { throwIfNoEntry: false })?.isFile()) {
    if (options.target && options.target !== DEFAULT_TARGET.name)
      throw new ConfigError(rel, "", `no profiles.yml beside the project: no target ${options.target}`);
    return { ...DEFAULT_TARGET, profile_name: profile };
  }
  const profiles = (yaml.parse(file) ?? {}) as Record<string, unknown>;
  const entry = profiles[profile] as { target?: string; outputs?: Record<string, Record<string, unknown>> };
  if (!entry?.outputs) throw new ConfigError(rel, profile, "no such profile with outputs");
  const name = options.target ?? entry.target ?? "dev";
  const output = entry.outputs[name];
  if (!output)
    throw new ConfigError(
      rel,
      `${profile}.outputs`,
      `no target ${name} (targets: ${Object.keys(entry.outputs).join(", ")})`,
    );
  const env = options.env ?? process.env;
  const values = Object.fromEntries(
    Object.entries(output).map(([key, value]) => [key, renderValue(value, env, rel, `${name}.${key}`)]),
  );
  const type = String(values.type ?? "");
  if (!(ADAPTERS as readonly string[]).includes(type))
    throw new ConfigError(rel, `${name}.type`, `must be one of ${ADAPTERS.join(", ")}, not '${type}'`);
  const threads = Number(values.threads ?? 1);
  if (!Number.isInteger(threads) || threads < 1)
    throw new ConfigError(rel, `${profile}.threads`, "must be a whole number of at least 1");
  const text = (key: string) =>
    values[key] === undefined || values[key] === "" ? undefined : String(values[key]);
  const target: Target = {
    name,
    type: type as AdapterType,
    schema: text("schema") ?? text("dataset") ?? (type === "duckdb" ? "main" : ""),
    threads,
    profile_name: profile,
  };
  for (const key of [
    "project",
    "dataset",
    "location",
    "method",
    "keyfile",
    "api_endpoint",
    "path",
  ] as const) {
    const value = text(key);
    if (value !== undefined) target[key] = value;
  }
  if (target.type === "bigquery" && !target.schema)
    throw new ConfigError(rel, `${name}.dataset`, "a bigquery target needs a dataset");
  return target;
}

function renderValue(value: unknown, env: NodeJS.ProcessEnv, file: string, key: string): unknown {
  if (typeof value !== "string" || !value.includes("{{")) return value;
  // nunjucks wraps what a template's function throws: the first such error is rethrown as is.
  let missing: ConfigError | undefined;
  try {
    return yamlEnv.renderString(value, {
      env_var: (name: string, fallback?: string) => {
        const found = env[name] ?? fallback;
        if (found === undefined) {
          missing ??= new ConfigError(file, key, `environment variable ${name} is not set`);
          throw missing;
        }
        return found;
      },
    });
  } catch (error) {
    throw missing ?? new ConfigError(file, key, (error as Error).message.split("\n").slice(-1)[0]!.trim());
  }
}

/** What templates see as `target` (dbt's target variable; BigQuery's database is its project): never the keyfile. */
export function targetVariable(target: Target): Record<string, unknown> {
  const { keyfile: _secret, ...visible } = target;
  return target.type === "bigquery" && target.project ? { ...visible, database: target.project } : visible;
}
