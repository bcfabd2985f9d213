/** dbt's view materialization: the model's SELECT as a view, replacing a table of the same name. */
import type { Materialization } from "./index.ts";

export const view: Materialization = {
  async build({ warehouse, model, exists, sql }) {
    await warehouse.transaction(async (tx) => {
      if (exists) await tx.run(`DROP TABLE IF EXISTS ${model.relation}`).catch(() => undefined);
      await tx.run(`CREATE OR REPLACE VIEW ${model.relation} AS ${sql}`);
    });
  },
};
