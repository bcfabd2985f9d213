/**
 * A small warehouse for the assistant's tests that need no demo: marts.cost_daily (20 days),
 * ml.cost_forecasts, a secret in ops, an external model under marts/focus_costs/, and the
 * snapshots exportMarts writes. Closed when returned (open it as each test needs).
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { type Config, loadConfig } from "../../core/config.ts";
import { exportMarts } from "../../core/warehouse/snapshots.ts";
import { Warehouse } from "../../core/warehouse/warehouse.ts";
import { tempDir } from "../helpers/tmp.ts";

export const sqlText = (s: string) => `'${s.replaceAll("'", "''")}'`;

export async function smallWarehouse(configYaml = ""): Promise<Config> {
  const dataDir = tempDir();
  const configFile = path.join(dataDir, "cco.config.yaml");
  writeFileSync(configFile, configYaml);
  const config = loadConfig({ configFile, dataDir, env: {} });
  const w = await Warehouse.open({ path: config.warehouse.path, threads: 1 });
  await w.run(`create table marts.cost_daily as
    select date '2026-10-01' + i::integer as charge_date, 'USD' as currency, (i * 1.5)::decimal(18, 2) as effective_cost
    from range(20) t(i)`);
  await w.run(
    "create table ml.cost_forecasts as select 'total' as scope, 10.0::decimal(18, 2) as expected_cost",
  );
  await w.run("create table ops.secrets as select 'hunter2' as secret");
  await exportMarts(w, config.paths.marts);
  // An external model, as focus_costs is: Parquet under marts/<model>/, a view in the warehouse.
  await w.run(
    `copy (select 'aws' as provider, 1.0 as cost, '2026-10' as period) to ${sqlText(path.join(config.paths.marts, "focus_costs"))} (format parquet, partition_by (period))`,
  );
  await w.run(
    `create view marts.focus_costs as select * from read_parquet(${sqlText(`${config.paths.marts}/focus_costs/*/*.parquet`)})`,
  );
  await w.close();
  return config;
}
