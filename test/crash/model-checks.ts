/**
 * The dbt project's tests on what a killed build left, and what a finished build holds.
 *
 * Only the tests of built relations run: a test whose model (or seed) does not exist yet is
 * not run. A test of one model must pass whatever the moment of the kill (each model is built in
 * one transaction). A test that reads several models (a relationships test, most singular tests)
 * may fail when the kill fell between two of them in an incremental build: the downstream model
 * is then one build behind. That is reported as lagging, and the next build must clear it.
 */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { loadConfig, modelVars } from "../../core/config.ts";
import { compileProject } from "../../core/dbt/compile.ts";
import { executeTest } from "../../core/dbt/nodes.ts";
import { loadProject } from "../../core/dbt/project.ts";
import { compileDataTests, type DataTest } from "../../core/dbt/tests.ts";
import { createProgress } from "../../core/log.ts";
import { PROJECT_ROOT } from "../../core/paths.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";

const MODEL_SCHEMAS = ["staging", "intermediate", "marts", "ml"];

/** Tables and views of the model schemas, as schema.name. */
export async function builtRelations(w: Warehouse): Promise<Set<string>> {
  const schemas = MODEL_SCHEMAS.map((s) => `'${s}'`).join(", ");
  const rows = await w.all<{ r: string }>(
    `select schema_name || '.' || table_name as r from duckdb_tables() where schema_name in (${schemas})
     union all select schema_name || '.' || view_name from duckdb_views() where schema_name in (${schemas}) and not internal`,
  );
  return new Set(rows.map((x) => x.r));
}

export interface TestOutcome {
  /** Failing or erroring tests that read one model: never acceptable. */
  failed: string[];
  /** Failing tests that read several models (see the module comment). */
  lagging: string[];
  /** Tests run (those whose relations all exist). */
  ran: number;
}

/** Run every data test whose models and seeds all exist in the warehouse. */
export async function testsOfBuiltModels(w: Warehouse, dataDir: string): Promise<TestOutcome> {
  const config = loadConfig({ configFile: path.join(dataDir, "cco.config.yaml"), dataDir, env: {} });
  const project = loadProject(PROJECT_ROOT);
  Object.assign(project.vars, modelVars(config));
  const models = compileProject(project);
  const relationOf = (name: string) => models.get(name)?.relation ?? project.seeds.get(name)?.relation;
  const built = await builtRelations(w);
  const outcome: TestOutcome = { failed: [], lagging: [], ran: 0 };
  const quiet = createProgress({ quiet: true });
  const runnable = (t: DataTest) => t.refs.every((r) => built.has(relationOf(r) ?? ""));
  for (const test of compileDataTests(project, models).filter(runnable)) {
    outcome.ran++;
    const result = await executeTest(w, test, new Set(), quiet);
    if (result.status !== "fail" && result.status !== "error") continue;
    const line = `${test.id}: ${result.message ?? result.status}`;
    (test.refs.length > 1 ? outcome.lagging : outcome.failed).push(line);
  }
  return outcome;
}

/**
 * Every relation of the given schemas: its row count and the sum of each numeric column (exact
 * for DECIMAL and integers, nine significant digits for floating point, whose sums depend on
 * the order DuckDB adds in).
 */
export async function relationsDigest(w: Warehouse, schemas: string[]): Promise<Record<string, string>> {
  const list = schemas.map((s) => `'${s}'`).join(", ");
  const columns = await w.all<{ relation: string; name: string; type: string }>(
    `select table_schema || '.' || table_name as relation, column_name as name, data_type as type
     from information_schema.columns where table_schema in (${list}) order by 1, ordinal_position`,
  );
  const byRelation = new Map<string, { name: string; type: string }[]>();
  for (const c of columns) byRelation.set(c.relation, [...(byRelation.get(c.relation) ?? []), c]);
  const digest: Record<string, string> = {};
  for (const [relation, cols] of byRelation) {
    const numeric = cols.filter((c) =>
      /^(DECIMAL|DOUBLE|FLOAT|REAL|INTEGER|BIGINT|HUGEINT|SMALLINT)/.test(c.type),
    );
    const sums = numeric.map((c, i) => `sum("${c.name}")::varchar as s${i}`);
    const [row] = await w.all<Record<string, string | null>>(
      `select ${["count(*)::varchar as n", ...sums].join(", ")} from ${relation}`,
    );
    digest[relation] = `${row!.n} rows`;
    numeric.forEach((c, i) => {
      const value = row![`s${i}`];
      const floating = /^(DOUBLE|FLOAT|REAL)/.test(c.type);
      digest[`${relation}.${c.name}`] =
        value == null ? "null" : floating ? Number(value).toPrecision(9) : value;
    });
  }
  return digest;
}

/** Folders an external model's swap leaves only when interrupted (<name>.old, <name>.partial), at any depth. */
export function swapLeftovers(martsDir: string): string[] {
  if (!existsSync(martsDir)) return [];
  return (readdirSync(martsDir, { recursive: true }) as string[]).filter((f) => /(\.old|\.partial)$/.test(f));
}

/** Parquet files per folder of the external models (names are new on each write; how many is not). */
export function externalFiles(martsDir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(martsDir)) return out;
  for (const f of readdirSync(martsDir, { recursive: true }) as string[]) {
    const dir = path.dirname(f);
    if (!f.endsWith(".parquet") || dir === "." || dir === "ml" || dir === "ops") continue;
    out[`files in marts/${dir}`] = String(Number(out[`files in marts/${dir}`] ?? 0) + 1);
  }
  return out;
}
