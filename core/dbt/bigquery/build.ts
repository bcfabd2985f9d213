/**
 * `dbt build` on BigQuery: the same DAG as on DuckDB (build.ts: seeds, models and their tests,
 * a node's children after its tests), each node one query job through @google-cloud/bigquery.
 * A failed statement fails its node, named by the model's file; what depends on it is skipped;
 * target/run_results.json and manifest.json are written as for DuckDB.
 */
import type { Progress } from "../../log.ts";
import { writeArtifacts } from "../artifacts.ts";
import { type BuildOptions, planBuild } from "../build.ts";
import { type CompiledModel, renderCompiled } from "../compile.ts";
import { type ContractColumn, enforcedContract } from "../contracts.ts";
import { bigQueryStatement, castToContract } from "../materializations/bigquery/index.ts";
import { seedStatement } from "../materializations/bigquery/seed.ts";
import { READ_ONLY_SCHEMAS } from "../materializations/index.ts";
import { done, type NodeResult, runDataTest, skipped } from "../nodes.ts";
import { type DbtProject, loadProject, uniqueId } from "../project.ts";
import { renderMacro } from "../render.ts";
import { runDag } from "../schedule.ts";
import type { SeedNode } from "../seeds.ts";
import type { DataTest } from "../tests.ts";
import { type BigQueryRunner, bigQueryError, bigQueryFor } from "./client.ts";

export interface BigQueryBuildOptions extends Omit<BuildOptions, "externalRoot"> {
  /** The profile's output (a bigquery one); default the profile's target. */
  target?: string;
  /** Another client than the target's (tests). */
  runner?: BigQueryRunner;
}

export async function buildOnBigQuery(
  root: string,
  options: BigQueryBuildOptions,
  progress: Progress,
): Promise<{ results: NodeResult[]; failed: number }> {
  const project = loadProject(root, { target: options.target });
  const bigquery = options.runner ?? (await bigQueryFor(project.target));
  const { models, tests, runSeeds, seeds, order, nodes } = planBuild(project, options);
  const started = new Date().toISOString();
  // Datasets first, as buildProject creates schemas: two models must not create one at once.
  if (options.runModels || runSeeds) {
    for (const schema of new Set([...seeds, ...order].map((n) => n.relation.split(".")[0]!))) {
      if (READ_ONLY_SCHEMAS.has(schema)) continue;
      const location = project.target.location ? ` OPTIONS (location = '${project.target.location}')` : "";
      await bigquery.run(`CREATE SCHEMA IF NOT EXISTS ${schema}${location}`);
    }
  }
  const failed = new Set<string>();
  const slots = new Map<string, NodeResult | undefined>(nodes.map((n) => [n.id, undefined]));
  const translate = (type: string) => renderMacro(project, "bigquery_type", type);
  let built = 0;
  const loading = runSeeds ? seeds.length : 0;
  await progress.step(
    `Building ${order.length} models on BigQuery (${project.target.name})`,
    async (tick) => {
      await runDag(nodes, options.threads ?? project.threads, async (node, worker) => {
        const startedAt = new Date().toISOString();
        const t0 = performance.now();
        let result: NodeResult | undefined;
        if (node.test) result = await runTest(bigquery, node.test, failed, progress);
        else if (node.seed) {
          if (runSeeds) result = await loadSeed(bigquery, project, node.seed, failed, progress, translate);
        } else {
          const model = node.model!;
          const id = uniqueId(project, "model", model.node.name);
          if (model.refs.some((r) => failed.has(r))) {
            failed.add(model.node.name);
            result = skipped(id, "an upstream model failed");
          } else if (options.runModels) {
            try {
              await buildModel(bigquery, project, models, model, options.fullRefresh ?? false, translate);
              result = done(id, "success", t0, null);
            } catch (error) {
              failed.add(model.node.name);
              const message = `${model.node.file}: ${bigQueryError(error).message}`;
              progress.warn(message);
              result = done(id, "error", t0, message);
            }
          }
        }
        if (node.model || (node.seed && runSeeds)) tick(++built, loading + order.length);
        if (!result) return;
        result.timing = [{ name: "execute", started_at: startedAt, completed_at: new Date().toISOString() }];
        result.thread_id = `Thread-${worker + 1}`;
        slots.set(node.id, result);
      });
    },
  );
  const results = [...slots.values()].filter((r) => r !== undefined);
  writeArtifacts(project, models, tests, results, started);
  return { results, failed: results.filter((r) => r.status === "error" || r.status === "fail").length };
}

async function buildModel(
  bigquery: BigQueryRunner,
  project: DbtProject,
  models: Map<string, CompiledModel>,
  model: CompiledModel,
  fullRefresh: boolean,
  translate: (type: string) => string,
): Promise<void> {
  const contract = enforcedContract(model.node, model.config);
  if (contract) await checkContractColumns(bigquery, model.sql, contract);
  const shape = (sql: string) => (contract ? castToContract(sql, contract, translate) : sql);
  const incrementalSql = () => shape(renderCompiled(project, models, model.node, true).sql);
  const merging =
    model.config.materialized === "incremental" && model.config.incremental_strategy === "merge";
  const statement = bigQueryStatement({
    model,
    existing: await bigquery.relationKind(model.relation),
    // dbt's full_refresh config, where the model sets it, overrides the flag.
    fullRefresh: model.config.full_refresh ?? fullRefresh,
    sql: shape(model.sql),
    incrementalSql,
    columns: merging ? (await bigquery.dryRun(incrementalSql())).fields.map((f) => f.name) : undefined,
  });
  await bigquery.run(statement);
}

/** dbt's contract check, by name: a dry run gives the SQL's columns (types are cast to the contract's). */
async function checkContractColumns(bigquery: BigQueryRunner, sql: string, contract: ContractColumn[]) {
  const actual = new Set((await bigquery.dryRun(sql)).fields.map((f) => f.name.toLowerCase()));
  const declared = new Set(contract.map((c) => c.name.toLowerCase()));
  const missing = contract.filter((c) => !actual.has(c.name.toLowerCase())).map((c) => c.name);
  const extra = [...actual].filter((name) => !declared.has(name));
  if (missing.length || extra.length) {
    const problems = [
      missing.length ? `missing ${missing.join(", ")}` : "",
      extra.length ? `not in the contract ${extra.join(", ")}` : "",
    ].filter(Boolean);
    throw new Error(`the SQL does not meet its enforced contract: ${problems.join("; ")}`);
  }
}

async function loadSeed(
  bigquery: BigQueryRunner,
  project: DbtProject,
  seed: SeedNode,
  failed: Set<string>,
  progress: Progress,
  translate: (type: string) => string,
): Promise<NodeResult> {
  const id = uniqueId(project, "seed", seed.name);
  const t0 = performance.now();
  try {
    await bigquery.run(seedStatement(project.root, seed, translate));
    return done(id, "success", t0, "CREATE TABLE");
  } catch (error) {
    failed.add(seed.name);
    const message = `${seed.file}: ${bigQueryError(error).message}`;
    progress.warn(message);
    return done(id, "error", t0, message);
  }
}

/** A data test: its failing rows counted on BigQuery; none is a pass. */
function runTest(
  bigquery: BigQueryRunner,
  test: DataTest,
  failed: Set<string>,
  progress: Progress,
): Promise<NodeResult> {
  const count = async (sql: string) => {
    const [row] = await bigquery.run(`SELECT COUNT(*) AS failures FROM (\n${sql}\n)`);
    return Number(row?.failures ?? 0);
  };
  return runDataTest(count, (error) => bigQueryError(error).message, test, failed, progress);
}
