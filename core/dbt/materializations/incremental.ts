/**
 * dbt's incremental materialization (delete+insert, dbt-duckdb's default strategy): a first build
 * or --full-refresh creates the table; later runs compute the rows with is_incremental() true,
 * delete the rows sharing their unique_key and insert them, all in one transaction.
 */
import { faultPoint } from "../../faults.ts";
import type { Materialization } from "./index.ts";
import { replaceTable } from "./table.ts";

export const incremental: Materialization = {
  async build(ctx) {
    const { model, exists, fullRefresh } = ctx;
    const relation = model.relation;
    const uniqueKey = model.config.unique_key;
    // Rendered before the transaction: its run_query calls use the connection the transaction holds.
    const incrementalSql = exists && !fullRefresh ? await ctx.incrementalSql() : undefined;
    await ctx.warehouse.transaction(async (tx) => {
      if (incrementalSql === undefined) return replaceTable(tx, ctx);
      await tx.run(`CREATE OR REPLACE TEMP TABLE _incr AS ${incrementalSql}`);
      if (uniqueKey) {
        await tx.run(`DELETE FROM ${relation} WHERE ${uniqueKey} IN (SELECT ${uniqueKey} FROM _incr)`);
      }
      await tx.run(`INSERT INTO ${relation} BY NAME SELECT * FROM _incr`);
      await tx.run("DROP TABLE _incr");
      // Rows deleted and inserted, not committed: a kill here must leave the table as it was.
      faultPoint("incremental:inserted");
    });
  },
};
