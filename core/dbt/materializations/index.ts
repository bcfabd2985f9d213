/**
 * Materializations, one file each as dbt-duckdb keeps one macro file per materialization, behind
 * one interface and picked by the model's `materialized` config. This module runs what they share:
 * the guard on the raw schema, the contract check, and the SQL they build from.
 */
import { UsageError } from "../../errors.ts";
import type { Warehouse } from "../../warehouse/warehouse.ts";
import { type CompiledModel, renderExecuted } from "../compile.ts";
import { castToContract, checkContract, enforcedContract, queryColumns } from "../contracts.ts";
import type { DbtProject } from "../project.ts";
import type { ModelConfig } from "../render.ts";
import { external } from "./external.ts";
import { incremental } from "./incremental.ts";
import { table } from "./table.ts";
import { view } from "./view.ts";

export interface MaterializationContext {
  /** The connection the model is built on (one per build thread). */
  warehouse: Warehouse;
  model: CompiledModel;
  /** Whether its relation exists already, as a table or a view. */
  exists: boolean;
  fullRefresh: boolean;
  /** Where external models are written, one folder per model (dbt-duckdb's external_root). */
  externalRoot: string | undefined;
  /** The SELECT to build from: the model's SQL (a contracted model's cast to its contract). */
  sql: string;
  /** The same rendered with is_incremental() true, for a run that adds to the relation. */
  incrementalSql(): Promise<string>;
}

export interface Materialization {
  build(ctx: MaterializationContext): Promise<void>;
}

const registry: Record<ModelConfig["materialized"], Materialization> = { view, table, incremental, external };

/** Schemas the runner never writes: ingest owns raw (its views over the lake). */
export const READ_ONLY_SCHEMAS = new Set(["raw"]);

export async function materialize(args: {
  warehouse: Warehouse;
  project: DbtProject;
  models: Map<string, CompiledModel>;
  model: CompiledModel;
  fullRefresh: boolean;
  externalRoot: string | undefined;
}): Promise<void> {
  const { warehouse, project, models, model } = args;
  const materialized = model.config.materialized;
  if (!Object.hasOwn(registry, materialized)) {
    throw new UsageError(`no materialization '${materialized}' (one of ${Object.keys(registry).join(", ")})`);
  }
  // Its schema exists: buildProject creates every selected model's schema before the DAG runs.
  const [schema, name] = model.relation.split(".") as [string, string];
  if (READ_ONLY_SCHEMAS.has(schema)) throw new UsageError(`models are never built in schema ${schema}`);
  // Checked on the compiled SQL, as dbt checks it; an incremental run's SQL only filters its rows.
  const contract = enforcedContract(model.node, model.config);
  if (contract) await checkContract(warehouse, model.sql, contract);
  const shape = (sql: string) => (contract ? castToContract(sql, contract) : sql);
  // Rendered again in dbt's execute phase (execute true, run_query answered by the warehouse), as
  // dbt renders a model again to run it; compile's SQL is the parse phase's.
  const render = (incremental: boolean) =>
    renderExecuted(project, models, model.node, incremental, (sql) => warehouse.all(sql));
  const exists = await warehouse.tableExists(schema, name);
  const full = await render(false);
  const sql = shape(full.sql);
  let fullRefresh = full.config.full_refresh ?? args.fullRefresh;
  // A relation built before its model's columns changed (an upgrade) is built whole, as
  // --full-refresh would: the model's incremental SQL may read a column the relation lacks.
  const addsRows =
    materialized === "incremental" || (materialized === "external" && !!model.config.unique_key);
  if (exists && addsRows && !fullRefresh) {
    const wanted = contract?.map((c) => c.name) ?? [...(await queryColumns(warehouse, sql)).keys()];
    if (!sameNames(await warehouse.columns(schema, name).then((c) => c.map((x) => x.name)), wanted))
      fullRefresh = true;
  }
  // Rendered before the materialization opens a transaction (its run_query calls use the same
  // connection); the incremental render may itself ask for a whole build (full_refresh).
  const incremental = exists && addsRows && !fullRefresh ? await render(true) : undefined;
  if (incremental?.config.full_refresh) fullRefresh = true;
  await registry[materialized].build({
    warehouse,
    model,
    exists,
    fullRefresh,
    externalRoot: args.externalRoot,
    sql,
    incrementalSql: async () => shape((incremental ?? (await render(true))).sql),
  });
}

/** The same names, in any order and case. */
function sameNames(a: string[], b: string[]): boolean {
  const norm = (names: string[]) => names.map((n) => n.toLowerCase()).sort();
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}
