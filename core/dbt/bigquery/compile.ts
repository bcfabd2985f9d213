/**
 * `cco models compile --target bigquery`: every selected seed, model and data test as the
 * statement a first build runs on BigQuery (CREATE … AS for seeds and models, the test's query),
 * and a dry run of each one's query (what the CREATE … AS selects: the datasets it creates need
 * not exist yet): the bytes each would process, or BigQuery's error for it. A query reading a
 * model not built yet cannot resolve it in a dry run (BigQuery checks syntax first, so it
 * parses): it is reported as waiting for its parents, not as invalid.
 */
import path from "node:path";
import { type CompiledModel, renderCompiled } from "../compile.ts";
import type { CompiledNode } from "../compiled-files.ts";
import { enforcedContract } from "../contracts.ts";
import { bigQueryStatement, castToContract } from "../materializations/bigquery/index.ts";
import { seedQuery, seedStatement } from "../materializations/bigquery/seed.ts";
import { type DbtProject, uniqueId } from "../project.ts";
import { renderMacro } from "../render.ts";
import type { DataTest } from "../tests.ts";
import { type BigQueryRunner, bigQueryError } from "./client.ts";

export interface BigQueryStatementNode extends CompiledNode {
  run: string;
  /** The query the statement runs (a dry run's subject). */
  query: string;
  /** Relations the statement builds from that the build creates (models, seeds). */
  builds: string;
}

/** Each selected node's compiled SQL and its first-build statement on BigQuery, in dependency order. */
export function bigQueryStatements(
  project: DbtProject,
  models: Map<string, CompiledModel>,
  tests: DataTest[],
  selected: Set<string>,
): BigQueryStatementNode[] {
  const translate = (type: string) => renderMacro(project, "bigquery_type", type);
  const nodes: BigQueryStatementNode[] = [];
  for (const seed of project.seeds.values()) {
    if (!selected.has(seed.name)) continue;
    nodes.push({
      id: uniqueId(project, "seed", seed.name),
      path: seed.file.replace(/\.csv$/, ".sql"),
      run: seedStatement(project.root, seed, translate),
      query: seedQuery(project.root, seed, translate),
      builds: seed.relation,
    });
  }
  for (const model of models.values()) {
    if (!selected.has(model.node.name)) continue;
    const contract = enforcedContract(model.node, model.config);
    const shape = (sql: string) => (contract ? castToContract(sql, contract, translate) : sql);
    nodes.push({
      id: uniqueId(project, "model", model.node.name),
      path: model.node.file,
      sql: model.sql,
      run: bigQueryStatement({
        model,
        existing: undefined,
        fullRefresh: false,
        sql: shape(model.sql),
        incrementalSql: () => shape(renderCompiled(project, models, model.node, true).sql),
      }),
      query: shape(model.sql),
      builds: model.relation,
    });
  }
  for (const test of tests) {
    if (!test.refs.some((r) => selected.has(r))) continue;
    nodes.push({
      id: test.id,
      // dbt's place: a generic test under its YAML file's folder, a singular one as its file.
      path: path.join(path.dirname(test.file), `${test.name}.sql`),
      sql: test.sql,
      run: test.sql,
      query: test.sql,
      builds: "",
    });
  }
  return nodes;
}

export interface DryRunResult {
  id: string;
  /** ok; waiting: a model or seed it reads is not built yet; invalid: BigQuery rejects it; error: another failure. */
  status: "ok" | "waiting" | "invalid" | "error";
  bytes: number | null;
  message: string | null;
}

/** Dry runs of the statements, `threads` at a time, in their order. */
export async function dryRunStatements(
  bigquery: BigQueryRunner,
  nodes: BigQueryStatementNode[],
  threads: number,
): Promise<DryRunResult[]> {
  const built = new Set(nodes.map((n) => n.builds).filter(Boolean));
  const datasets = new Set([...built].map((relation) => relation.split(".")[0]!));
  const results: DryRunResult[] = new Array(nodes.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < nodes.length; i = next++) {
      const node = nodes[i]!;
      try {
        const { bytes } = await bigquery.dryRun(node.query);
        results[i] = { id: node.id, status: "ok", bytes, message: null };
      } catch (error) {
        const e = bigQueryError(error);
        // "Not found: Table project:dataset.table was not found …", "Not found: Dataset project:dataset …"
        const table = e.message.match(/Not found: Table (?:[^:\s]+:)?([\w-]+\.[\w$-]+)/)?.[1];
        const dataset = e.message.match(/Not found: Dataset (?:[^:\s]+:)?([\w-]+)\b/)?.[1];
        const waiting =
          (table !== undefined && built.has(table)) || (dataset !== undefined && datasets.has(dataset));
        const status =
          e.reason === "notFound" && waiting ? "waiting" : e.reason === "invalidQuery" ? "invalid" : "error";
        results[i] = { id: node.id, status, bytes: null, message: e.message };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, threads) }, worker));
  return results;
}
