/**
 * dbt's model contracts: a model configured with `contract: {enforced: true}` and a data_type on
 * every column of its YAML has exactly those columns, in that order, with those types. As dbt
 * does before it builds such a model, the SQL's columns are compared with the contract by name
 * and by type (both as DuckDB spells them, so `text` and `varchar` agree); then the relation is
 * built from the contract's columns in its order, each cast to its type (dbt: a table created
 * from DDL with the declared types, then the SQL's columns inserted into it).
 */
import { ConfigError, UsageError } from "../errors.ts";
import { ident } from "../sql.ts";
import type { Warehouse } from "../warehouse/warehouse.ts";
import type { DbtProject, ModelNode } from "./project.ts";
import { type ModelConfig, renderModel } from "./render.ts";

export interface ContractColumn {
  name: string;
  data_type: string;
}

/**
 * A model's contract, in column order, read from the project (e.g. the FOCUS 1.2 columns of
 * focus_costs, for TypeScript that needs them). An error when the model enforces no contract.
 */
export function contractColumns(project: DbtProject, modelName: string): ContractColumn[] {
  const node = project.models.get(modelName);
  if (!node) throw new ConfigError("models", modelName, "no such model");
  // config() in the model's SQL can set the contract too: its template is rendered to read it.
  const { config } = renderModel(node, {
    project,
    relationOf: (name) => name,
    incremental: false,
    env: process.env,
  });
  const columns = enforcedContract(node, config);
  if (!columns) throw new ConfigError(node.patchPath ?? node.file, modelName, "no enforced contract");
  return columns;
}

/** The contract a model enforces under its resolved config, if any; a column without a data_type is an error, as in dbt. */
export function enforcedContract(node: ModelNode, config: ModelConfig): ContractColumn[] | undefined {
  if (!config.contract?.enforced) return undefined;
  const file = node.patchPath ?? node.file;
  if (!node.columns.length)
    throw new ConfigError(file, node.name, "an enforced contract needs the model's columns");
  const untyped = node.columns.filter((c) => !c.data_type).map((c) => c.name);
  if (untyped.length) {
    throw new ConfigError(file, node.name, `an enforced contract needs a data_type on ${untyped.join(", ")}`);
  }
  return node.columns.map((c) => ({ name: c.name, data_type: String(c.data_type) }));
}

/** A query's columns, name to type as DuckDB spells it: DESCRIBE binds the query without running it. */
export async function queryColumns(warehouse: Warehouse, sql: string): Promise<Map<string, string>> {
  const rows = await warehouse.all<{ column_name: string; column_type: string }>(
    `DESCRIBE SELECT * FROM (\n${sql}\n)`,
  );
  return new Map(rows.map((c) => [c.column_name, c.column_type]));
}

/** dbt's check before a contracted build: an error naming every missing, extra and mistyped column. */
export async function checkContract(
  warehouse: Warehouse,
  sql: string,
  contract: ContractColumn[],
): Promise<void> {
  const actual = await queryColumns(warehouse, sql);
  // The declared types as DuckDB spells them (dbt describes an empty query over the contract alike).
  const declared = await queryColumns(
    warehouse,
    `SELECT ${contract.map((c) => `CAST(NULL AS ${c.data_type}) AS ${ident(c.name)}`).join(", ")}`,
  );
  const missing = [...declared.keys()].filter((name) => !actual.has(name));
  const extra = [...actual.keys()].filter((name) => !declared.has(name));
  const mistyped = [...declared]
    .filter(([name, type]) => actual.has(name) && actual.get(name) !== type)
    .map(([name, type]) => `${name} is ${actual.get(name)}, the contract says ${type}`);
  const problems = [
    missing.length ? `missing column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}` : "",
    extra.length ? `column${extra.length > 1 ? "s" : ""} not in the contract ${extra.join(", ")}` : "",
    ...mistyped,
  ].filter(Boolean);
  if (problems.length)
    throw new UsageError(`the SQL does not meet its enforced contract: ${problems.join("; ")}`);
}

/** The SELECT a contracted relation is built from: the contract's columns, in its order, as its types. */
export function castToContract(sql: string, contract: ContractColumn[]): string {
  const columns = contract.map((c) => `CAST(${ident(c.name)} AS ${c.data_type}) AS ${ident(c.name)}`);
  // The SQL on lines of its own: a trailing -- comment must not swallow the parenthesis.
  return `SELECT ${columns.join(", ")} FROM (\n${sql}\n)`;
}
