/**
 * What a pipeline stage's inputs looked like, as one sha256: files by path, size and mtime
 * (cheap, and what a new export changes), source files by content (a checkout keeps mtimes
 * moving), warehouse tables by an order-independent sum of row hashes. Equal fingerprints
 * mean "nothing this stage reads has changed since it last ran".
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { shippedFile } from "../core/paths.ts";
import type { Warehouse } from "../core/warehouse/warehouse.ts";

/** The code's version: a release changes what every stage writes. */
export const CODE_VERSION: string = JSON.parse(readFileSync(shippedFile("package.json"), "utf8")).version;

/** sha256 of a JSON value, keys sorted so the same inputs always give the same digest. */
export function fingerprint(value: unknown): string {
  return createHash("sha256").update(stableJson(value)).digest("hex");
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Every file under the targets (files or folders) as [path, size, mtime]; a missing target as [path, "missing"]. */
export function fileStats(targets: string[], skip?: (name: string) => boolean): unknown[] {
  const out: unknown[] = [];
  const visit = (target: string) => {
    const stat = statSync(target, { throwIfNoEntry: false });
    if (!stat) {
      out.push([target, "missing"]);
      return;
    }
    if (stat.isFile()) {
      out.push([target, stat.size, Math.trunc(stat.mtimeMs)]);
      return;
    }
    for (const name of readdirSync(target).sort()) {
      if (!skip?.(name)) visit(path.join(target, name));
    }
  };
  for (const target of [...targets].sort()) visit(path.resolve(target));
  return out;
}

/** sha256 of the contents of every file under the shipped folders (the dbt project, the report's pages). */
export function contentHash(folders: string[], skip?: (name: string) => boolean): string {
  const hash = createHash("sha256");
  const visit = (full: string, name: string) => {
    const stat = statSync(full, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isFile()) {
      hash.update(`${name}\0`).update(readFileSync(full)).update("\0");
      return;
    }
    for (const entry of readdirSync(full).sort()) {
      if (!skip?.(entry)) visit(path.join(full, entry), `${name}/${entry}`);
    }
  };
  for (const folder of folders) visit(shippedFile(folder), folder);
  return hash.digest("hex");
}

/** Rows and an order-independent hash of a query's rows: equal when the rows are equal. */
export async function rowsDigest(warehouse: Warehouse, query: string): Promise<string> {
  const [row] = await warehouse.all<{ n: string; h: string }>(
    `select count(*)::varchar as n, coalesce(sum(hash(t)), 0)::varchar as h from (${query}) t`,
  );
  return `${row?.n}:${row?.h}`;
}

/** The digest of each base table of a schema (views are external Parquet: see fileStats). */
export async function schemaDigest(warehouse: Warehouse, schema: string): Promise<Record<string, string>> {
  const tables = await warehouse.all<{ name: string }>(
    "select table_name as name from duckdb_tables() where schema_name = $1 and not temporary order by 1",
    [schema],
  );
  const out: Record<string, string> = {};
  for (const { name } of tables) out[name] = await rowsDigest(warehouse, `select * from ${schema}."${name}"`);
  return out;
}
