/**
 * One executor run in its own process against the replay (for kill -9 tests): argv[2] is the data
 * folder holding cco.config.yaml and warehouse.duckdb. CCO_FAULT (core/faults.ts) kills it where named.
 */
import path from "node:path";
import { runExecutor } from "../../../../actions/executor/run.ts";
import { createAzureAdapter } from "../../../../actions/providers/azure/index.ts";
import { loadConfig } from "../../../../core/config.ts";
import { Warehouse } from "../../../../core/warehouse/warehouse.ts";
import { REQUEST_TIMEOUT_MS, RUN_AT, staticCredential } from "./setup.ts";

const dir = process.argv[2]!;
const config = loadConfig({ configFile: path.join(dir, "cco.config.yaml"), dataDir: dir, env: {} });
config.actions.retries.base_ms = 0;
const warehouse = await Warehouse.open({ path: path.join(dir, "warehouse.duckdb"), threads: 1 });
try {
  const adapter = createAzureAdapter(config, {
    credential: staticCredential,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
  });
  const summary = await runExecutor(warehouse, config, {
    trigger: "cli",
    now: RUN_AT,
    adapters: { azure: adapter },
  });
  console.log(JSON.stringify(summary.actions.map((a) => a.state)));
} finally {
  await warehouse.close();
}
