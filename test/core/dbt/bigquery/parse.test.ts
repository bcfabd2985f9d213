/**
 * Every statement `cco models compile --target bigquery` writes parses as GoogleSQL: each model's
 * SELECT (and its incremental form), each data test, and the DDL a first build runs (seeds and
 * models). node-sql-parser's BigQuery grammar lacks some of what BigQuery has and the models use:
 * those constructs are rewritten to ones it knows before parsing, each for the reason given
 * (BigQuery's own grammar has them; the dry run against BigQuery checks the real statements).
 * The parser accepts DuckDB's `::` in BigQuery mode, so DuckDB-only syntax is checked apart.
 */
import { Parser } from "node-sql-parser";
import { describe, expect, it } from "vitest";
import { bigQueryStatements } from "../../../../core/dbt/bigquery/compile.ts";
import { compileProject, renderCompiled } from "../../../../core/dbt/compile.ts";
import { loadProject } from "../../../../core/dbt/project.ts";
import { selectModels } from "../../../../core/dbt/selection.ts";
import { compileDataTests } from "../../../../core/dbt/tests.ts";
import { PROJECT_ROOT } from "../../../../core/paths.ts";
import { duckdbOnlySyntax } from "../../../helpers/bigquery-jobs-stub.ts";

/** BigQuery syntax node-sql-parser 5.4's BigQuery grammar does not know, and what it is parsed as instead. */
const PARSER_GAPS: { pattern: RegExp; replacement: string; reason: string }[] = [
  {
    pattern: /\b(?:BIG)?NUMERIC\s*\(\s*\d+\s*,\s*\d+\s*\)|\bBIGNUMERIC\b/g,
    replacement: "NUMERIC",
    reason: "BIGNUMERIC and parameterized NUMERIC(P, S) are missing from its type list",
  },
  { pattern: /\bgroup by all\b/gi, replacement: "group by 1", reason: "GROUP BY ALL is missing" },
  {
    pattern: /\bfull outer union all by name\b/gi,
    replacement: "union all",
    reason: "set operations by name (FULL OUTER UNION ALL BY NAME) are missing",
  },
  { pattern: /\bis not distinct from\b/gi, replacement: "=", reason: "IS NOT DISTINCT FROM is missing" },
  { pattern: /\bis distinct from\b/gi, replacement: "<>", reason: "IS DISTINCT FROM is missing" },
  {
    pattern: /\[(?:safe_ordinal|safe_offset|offset|ordinal)\(\d+\)\]|\[tag_key\]/g,
    replacement: "",
    reason: "subscripts of a function's result or a JSON value (f(x)[OFFSET(n)], json[key]) are missing",
  },
  { pattern: /\bjson 'null'/gi, replacement: "null", reason: "JSON literals (JSON 'null') are missing" },
  {
    pattern: /^CREATE OR REPLACE VIEW (\S+) AS\n/,
    replacement: "CREATE OR REPLACE TABLE $1 AS\n",
    reason: "CREATE VIEW over a set operation (UNION ALL) is missing; CREATE TABLE … AS takes the same query",
  },
];

function parseable(sql: string, used: Set<string>): string {
  let text = sql;
  for (const gap of PARSER_GAPS) {
    const next = text.replace(gap.pattern, gap.replacement);
    if (next !== text) used.add(gap.reason);
    text = next;
  }
  return text;
}

describe("the BigQuery compile", () => {
  const project = loadProject(PROJECT_ROOT, { target: "bigquery" });
  const models = compileProject(project);
  const tests = compileDataTests(project, models);
  const statements = bigQueryStatements(project, models, tests, selectModels(models, "", project.seeds));
  const every: [string, string][] = [
    ...[...models.values()].flatMap((m): [string, string][] => [
      [`${m.node.name} (select)`, m.sql],
      [`${m.node.name} (incremental select)`, renderCompiled(project, models, m.node, true).sql],
    ]),
    ...statements.map((s): [string, string] => [`${s.id} (statement)`, s.run]),
  ];

  it("covers every model, seed and data test", () => {
    expect(statements.filter((s) => s.id.startsWith("model.")).length).toBe(models.size);
    expect(statements.filter((s) => s.id.startsWith("seed.")).length).toBe(project.seeds.size);
    expect(statements.filter((s) => s.id.startsWith("test.")).length).toBe(tests.length);
  });

  it("parses as GoogleSQL, statement by statement (rewriting only the listed parser gaps)", () => {
    const parser = new Parser();
    const used = new Set<string>();
    const failures = every.flatMap(([name, sql]) => {
      try {
        parser.astify(parseable(sql, used), { database: "BigQuery" });
        return [];
      } catch (error) {
        return [`${name}: ${(error as Error).message.slice(0, 200)}`];
      }
    });
    expect(failures).toEqual([]);
    // Every gap listed is one the project meets: the list holds nothing stale.
    expect([...used].sort()).toEqual(PARSER_GAPS.map((g) => g.reason).sort());
  });

  it("holds no DuckDB-only syntax, which the parser would let through", () => {
    const leaks = every.flatMap(([name, sql]) => {
      const leak = duckdbOnlySyntax(sql);
      return leak ? [`${name}: ${leak}`] : [];
    });
    expect(leaks).toEqual([]);
  });

  it("would catch a leak: the DuckDB build's SQL fails the same checks", () => {
    const duckdb = compileProject(loadProject(PROJECT_ROOT));
    const leaking = [...duckdb.values()].filter((m) => duckdbOnlySyntax(m.sql)).map((m) => m.node.name);
    expect(leaking).toContain("stg_aws__cur2_line_items");
    expect(leaking.length).toBeGreaterThan(duckdb.size / 2);
    expect(() =>
      new Parser().astify("select sum(x) filter (where y) from t", { database: "BigQuery" }),
    ).toThrow();
  });
});
