/** dbt's table materialization: the model's rows as a table, replaced whole in one transaction. */
import type { TransactionScope } from "../../warehouse/warehouse.ts";
import type { Materialization, MaterializationContext } from "./index.ts";

export const table: Materialization = {
  async build(ctx) {
    await ctx.warehouse.transaction((tx) => replaceTable(tx, ctx));
  },
};

/** The relation (re)created as a table of the model's rows, dropping a view of the same name. */
export async function replaceTable(
  tx: TransactionScope,
  { model, sql }: Pick<MaterializationContext, "model" | "sql">,
): Promise<void> {
  await tx.run(`DROP VIEW IF EXISTS ${model.relation}`).catch(() => undefined);
  await tx.run(`CREATE OR REPLACE TABLE ${model.relation} AS ${sql}`);
}
