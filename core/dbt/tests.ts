/** dbt's data tests: generic column tests as SQL that returns the failing rows, and every test node of a project. */
import { ConfigError } from "../errors.ts";
import { ident, litList } from "../sql.ts";
import { type CompiledModel, renderCompiled } from "./compile.ts";
import { type ColumnTest, type DbtProject, uniqueId } from "./project.ts";
import type { AdapterType } from "./target.ts";

/** How each warehouse quotes a column and casts it to text (BigQuery: backticks, STRING). */
const DIALECTS: Record<AdapterType, { quote(name: string): string; text(expr: string): string }> = {
  duckdb: { quote: ident, text: (expr) => `${expr}::VARCHAR` },
  bigquery: {
    quote: (name) => `\`${name.replaceAll("`", "\\`")}\``,
    text: (expr) => `CAST(${expr} AS STRING)`,
  },
};

export function compileTest(
  relation: string,
  column: string,
  test: ColumnTest,
  relationOfModel: (name: string) => string | undefined,
  adapter: AdapterType = "duckdb",
): { sql: string } {
  const { quote, text } = DIALECTS[adapter];
  const col = quote(column);
  switch (test.name) {
    case "not_null":
      return { sql: `SELECT * FROM ${relation} WHERE ${col} IS NULL` };
    case "unique":
      return {
        sql: `SELECT ${col} FROM ${relation} WHERE ${col} IS NOT NULL GROUP BY ${col} HAVING count(*) > 1`,
      };
    case "accepted_values": {
      const values = (test.args.values as unknown[] | undefined) ?? [];
      const list = litList(values.map(String));
      return {
        sql: `SELECT ${col} FROM ${relation} WHERE ${col} IS NOT NULL AND ${text(col)} NOT IN (${list})`,
      };
    }
    case "relationships": {
      const to = String(test.args.to ?? "");
      const field = String(test.args.field ?? column);
      const name = refName(to);
      const target = name ? relationOfModel(name) : undefined;
      if (!target) throw new ConfigError(relation, column, `relationships test: cannot resolve ${to}`);
      const parent = quote(field);
      return {
        sql: `SELECT c.${col} FROM ${relation} c LEFT JOIN ${target} p ON c.${col} = p.${parent} WHERE c.${col} IS NOT NULL AND p.${parent} IS NULL`,
      };
    }
  }
}

/** A data test node: generic (a column test in the YAML) or singular (tests/*.sql). */
export interface DataTest {
  id: string;
  name: string;
  /** Its file: the YAML that declares a generic test, the singular test's SQL. */
  file: string;
  /** The SQL that returns the failing rows. */
  sql: string;
  /** Models and seeds it reads (its depends_on): it is skipped when one of them failed. */
  refs: string[];
  severity: "error" | "warn";
  /**
   * A generic test's node (a model or a seed, by name), column and test: its failure stops the
   * node's descendants (dbt build).
   */
  attached?: { model: string; column: string; test: ColumnTest };
  /** A singular test's template (the manifest's raw_code). */
  raw?: string;
}

/**
 * Every data test of the project, compiled against the relations of the models and seeds: first
 * each seed's and model's column tests, then tests/.
 */
export function compileDataTests(project: DbtProject, models: Map<string, CompiledModel>): DataTest[] {
  const relationOf = (name: string) => models.get(name)?.relation ?? project.seeds.get(name)?.relation;
  const nodes = [
    ...[...project.seeds.values()].map((s) => ({ ...s, documentedIn: s.patchPath ?? s.file })),
    ...[...models.values()].map((m) => ({
      name: m.node.name,
      columns: m.node.columns,
      relation: m.relation,
      documentedIn: m.node.patchPath ?? m.node.file,
    })),
  ];
  const generic = nodes.flatMap((node) =>
    node.columns.flatMap((column) =>
      column.tests.map((test): DataTest => {
        const name = `${test.name}_${node.name}_${column.name}`;
        const parent = test.name === "relationships" ? refName(String(test.args.to ?? "")) : undefined;
        // dbt's `where` config: the test reads the rows the condition keeps.
        const relation = test.where
          ? `(SELECT * FROM ${node.relation} WHERE ${renderText(project, models, node.documentedIn, test.where)})`
          : node.relation;
        return {
          id: uniqueId(project, "test", name),
          name,
          file: node.documentedIn,
          sql: compileTest(relation, column.name, test, relationOf, project.target.type).sql,
          refs: parent && parent !== node.name ? [node.name, parent] : [node.name],
          severity: test.severity,
          attached: { model: node.name, column: column.name, test },
        };
      }),
    ),
  );
  const singular = project.singularTests.map((test): DataTest => {
    const node = { name: test.name, file: test.file, fqn: [], raw: test.raw, columns: [], folderConfig: {} };
    const rendered = renderCompiled(project, models, node, false);
    return {
      id: uniqueId(project, "test", test.name),
      name: test.name,
      file: test.file,
      sql: rendered.sql.replace(/;\s*$/, ""),
      refs: rendered.refs,
      severity: rendered.config.severity ?? "error",
      raw: test.raw,
    };
  });
  return [...generic, ...singular];
}

/** A Jinja text of a properties file (a test's where), rendered as a model is. */
function renderText(
  project: DbtProject,
  models: Map<string, CompiledModel>,
  file: string,
  raw: string,
): string {
  const node = { name: "where", file, fqn: [], raw, columns: [], folderConfig: {} };
  return renderCompiled(project, models, node, false).sql;
}

/** The model a relationships test's `to: ref('name')` names. */
function refName(to: string): string | undefined {
  return to.match(/ref\(\s*['"]([^'"]+)['"]\s*\)/)?.[1];
}
