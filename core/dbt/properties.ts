/**
 * What models and seeds share when a project is read: the files under a path, dbt_project.yml's
 * folder-level `+key` config, and the columns (with their data tests) of a YAML properties entry.
 */
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { ConfigError } from "../errors.ts";

export interface ColumnTest {
  name: "unique" | "not_null" | "accepted_values" | "relationships";
  args: Record<string, unknown>;
  severity: "error" | "warn";
  /** dbt's `where` config: the test reads only the rows it keeps (Jinja, rendered as a model's). */
  where?: string;
}

export interface ColumnSpec {
  name: string;
  description?: string;
  data_type?: string;
  tests: ColumnTest[];
}

/** Every file under `dir`, sorted by name at each level (none when it does not exist). */
export function listFiles(dir: string): string[] {
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return [];
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** dbt's folder-level `+key: value` config, inherited down the path (folders, then a node's own name). */
export function folderConfig(tree: Record<string, unknown>, fqn: string[]): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  let node: Record<string, unknown> | undefined = tree;
  const apply = (n: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(n)) if (k.startsWith("+")) config[k.slice(1)] = v;
  };
  apply(node);
  for (const part of fqn) {
    node = node?.[part] as Record<string, unknown> | undefined;
    if (!node || typeof node !== "object") break;
    apply(node);
  }
  return config;
}

export function parseColumns(columns: unknown, file: string): ColumnSpec[] {
  return listOf(columns, file, "columns").map((c, i) => {
    const name = nameOf(c, file, `columns[${i}]`);
    return {
      name,
      description: c.description,
      data_type: c.data_type,
      tests: [
        ...listOf(c.data_tests, file, `${name}.data_tests`, false),
        ...listOf(c.tests, file, `${name}.tests`, false),
      ].map((t: unknown) => parseTest(t, file, name)),
    };
  });
}

/**
 * A properties file's list under `key` (none when absent): its entries mappings unless `mappings`
 * is false. A file of another shape is refused naming the file and key, never a TypeError.
 */
export function listOf(value: unknown, file: string, key: string, mappings = true): Record<string, any>[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ConfigError(file, key, "expected a list");
  if (mappings)
    for (const [i, entry] of value.entries())
      if (!entry || typeof entry !== "object" || Array.isArray(entry))
        throw new ConfigError(file, `${key}[${i}]`, "expected a mapping with a name");
  return value;
}

/** An entry's name: text. */
export function nameOf(entry: Record<string, any>, file: string, key: string): string {
  if (typeof entry.name !== "string" || !entry.name) throw new ConfigError(file, key, "expected a name");
  return entry.name;
}

function parseTest(test: unknown, file: string, column: string): ColumnTest {
  if (typeof test === "string") return { name: test as ColumnTest["name"], args: {}, severity: "error" };
  if (!test || typeof test !== "object" || Array.isArray(test))
    throw new ConfigError(file, column, "expected a test name or a mapping of one test");
  const [name, body] = Object.entries(test as Record<string, any>)[0] ?? [];
  if (!name || !["unique", "not_null", "accepted_values", "relationships"].includes(name)) {
    throw new ConfigError(file, column, `unknown test ${name}`);
  }
  if (body !== null && body !== undefined && (typeof body !== "object" || Array.isArray(body)))
    throw new ConfigError(file, column, `test ${name}: expected a mapping of its arguments`);
  const { config, ...args } = (body ?? {}) as Record<string, any>;
  const severity =
    String(config?.severity ?? body?.severity ?? "error").toLowerCase() === "warn" ? "warn" : "error";
  delete args.severity;
  const where = config?.where ?? args.where;
  delete args.where;
  if (where !== undefined && typeof where !== "string")
    throw new ConfigError(file, column, `test ${name}: where: expected a SQL condition`);
  return { name: name as ColumnTest["name"], args, severity, ...(where ? { where } : {}) };
}
