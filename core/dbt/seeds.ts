/**
 * dbt seeds: CSV files under the project's seed-paths, each a node of the DAG that models ref and
 * a table once loaded (materializations/seed.ts). A seed's config is dbt_project.yml's `seeds:`
 * tree (`+schema`, `+column_types`, `+delimiter`, `+tags`, down its folders and its own name) with
 * the `config:` of its YAML properties (a `seeds:` entry in a YAML file under the seed or model
 * paths) over it; column_types merge key by key, as dbt merges them.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { ConfigError } from "../errors.ts";
import { type ColumnSpec, folderConfig, listFiles, listOf, parseColumns } from "./properties.ts";

export interface SeedConfig {
  schema: string;
  /** Column name to the warehouse type it is loaded as; other columns' types are inferred from the file. */
  column_types: Record<string, string>;
  delimiter: string;
  tags: string[];
}

export interface SeedNode {
  name: string;
  /** Path relative to the project root. */
  file: string;
  /** Folder path under the seed path. */
  fqn: string[];
  description?: string;
  columns: ColumnSpec[];
  config: SeedConfig;
  /** The YAML file that documents the seed, if any. */
  patchPath?: string;
  /** schema.name: where the seed's table lives. */
  relation: string;
}

/** A `seeds:` entry of a YAML properties file. */
export interface SeedProperties {
  description?: string;
  columns: ColumnSpec[];
  config?: Record<string, unknown>;
  file: string;
}

/** The `seeds:` entries of one parsed YAML file, into `into` by seed name. */
export function collectSeedProperties(doc: unknown, file: string, into: Map<string, SeedProperties>): void {
  type Entry = { name?: unknown; description?: string; columns?: unknown; config?: Record<string, unknown> };
  const seeds = doc && typeof doc === "object" ? (doc as { seeds?: unknown }).seeds : undefined;
  for (const entry of listOf(seeds, file, "seeds") as Entry[]) {
    const name = String(entry?.name ?? "");
    if (!name) throw new ConfigError(file, "seeds", "a seed entry without a name");
    if (into.has(name)) throw new ConfigError(file, name, `seed also described in ${into.get(name)!.file}`);
    into.set(name, {
      description: entry.description,
      columns: parseColumns(entry.columns, file),
      config: entry.config,
      file,
    });
  }
}

/** Every seed of the project: each .csv under the seed paths, with its config and properties. */
export function loadSeeds(
  root: string,
  seedPaths: string[],
  /** dbt_project.yml's `seeds: <project>:` tree. */
  tree: Record<string, unknown>,
  properties: Map<string, SeedProperties>,
  defaultSchema: string,
): Map<string, SeedNode> {
  const seeds = new Map<string, SeedNode>();
  for (const seedPath of seedPaths) {
    for (const file of listFiles(path.join(root, seedPath)).filter((f) => f.endsWith(".csv"))) {
      const rel = path.relative(root, file);
      const name = path.basename(file, ".csv");
      if (seeds.has(name)) throw new ConfigError(rel, "", `duplicate seed name ${name}`);
      const fqn = path
        .relative(path.join(root, seedPath), path.dirname(file))
        .split(path.sep)
        .filter(Boolean);
      const props = properties.get(name);
      const fromProject = folderConfig(tree, [...fqn, name]);
      const own = props?.config ?? {};
      const schema = String(own.schema ?? fromProject.schema ?? defaultSchema);
      seeds.set(name, {
        name,
        file: rel,
        fqn,
        description: props?.description,
        columns: props?.columns ?? [],
        config: {
          schema,
          column_types: { ...typesOf(fromProject.column_types, rel), ...typesOf(own.column_types, rel) },
          delimiter: String(own.delimiter ?? fromProject.delimiter ?? ","),
          tags: ([] as unknown[]).concat(fromProject.tags ?? [], own.tags ?? []).map(String),
        },
        patchPath: props?.file,
        relation: `${schema}.${name}`,
      });
    }
  }
  for (const [name, props] of properties) {
    if (!seeds.has(name)) throw new ConfigError(props.file, name, "described in YAML but no such seed file");
  }
  return seeds;
}

function typesOf(value: unknown, file: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new ConfigError(file, "column_types", "expected a mapping of column name to type");
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

/** The seed file's sha256, as dbt's manifest records a seed's checksum. */
export function seedChecksum(root: string, seed: SeedNode): string {
  return createHash("sha256")
    .update(readFileSync(path.join(root, seed.file)))
    .digest("hex");
}
