/**
 * One measured models run in a fresh process, printing JSON with wall time and peak RSS:
 *   build <warehouse> full|incremental   `cco models build` (with tests), full refresh or incremental
 *   floor <warehouse> [billing period]    one hand-written SQL statement mapping the raw CUR 2.0
 *                                         table to FOCUS's core columns (what the models do for AWS)
 *   unfloor <warehouse>                   drop the floor's table, so that the next floor run does
 *                                         not pay for dropping the last one's
 */
import path from "node:path";
import { createProgress } from "../core/log.ts";
import { buildProject } from "../core/dbt/runner.ts";
import { Warehouse } from "../core/warehouse/warehouse.ts";
import { CUR2_FLOOR } from "./scale-floor-sql.ts";

const [mode, warehousePath, arg] = process.argv.slice(2);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const t0 = performance.now();
const warehouse = await Warehouse.open({ path: warehousePath!, memoryLimit: "3GB", threads: 2 });
let extra: Record<string, unknown> = {};
if (mode === "build") {
  const { results, failed } = await buildProject(
    warehouse,
    root,
    {
      runModels: true,
      runTests: true,
      fullRefresh: arg === "full",
      externalRoot: path.join(path.dirname(warehousePath!), "marts"),
    },
    createProgress({ quiet: true }),
  );
  const slowest = results
    .filter((r) => r.unique_id.startsWith("model."))
    .sort((a, b) => b.execution_time - a.execution_time)
    .slice(0, 4)
    .map((r) => `${r.unique_id.replace("model.cco.", "")} ${r.execution_time.toFixed(1)} s`);
  extra = { failed, slowest };
} else if (mode === "unfloor") {
  await warehouse.run("DROP TABLE IF EXISTS main.bench_floor");
} else {
  await warehouse.run(`CREATE OR REPLACE TABLE main.bench_floor AS SELECT * FROM (${CUR2_FLOOR})
    ${arg ? `WHERE x_BillingPeriod = '${arg}'` : ""}`);
}
await warehouse.close();
process.stdout.write(
  `${JSON.stringify({
    seconds: (performance.now() - t0) / 1000,
    peak_rss_mib: Math.round(process.resourceUsage().maxRSS / 1024),
    ...extra,
  })}\n`,
);
