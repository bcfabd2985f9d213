/**
 * The executor with the AWS adapter as its own process, for the kill -9 scenarios: the replay
 * server runs in the parent (its URL in the config file), this process is killed at CCO_FAULT.
 */
import path from "node:path";
import { runExecutor } from "../../../../actions/executor/run.ts";
import { loadConfig } from "../../../../core/config.ts";
import { Warehouse } from "../../../../core/warehouse/warehouse.ts";
import { adapterFor } from "./adapter-options.ts";

const dataDir = process.argv[2]!;
const config = loadConfig({ configFile: path.join(dataDir, "cco.config.yaml"), dataDir, env: {} });
config.actions.retries.base_ms = 0;
const warehouse = await Warehouse.open({ path: path.join(dataDir, "warehouse.duckdb") });
const adapter = adapterFor(config, config.actions.aws.ec2_endpoint!);
await runExecutor(warehouse, config, {
  trigger: "cli",
  now: new Date("2026-11-02T10:00:00Z"),
  adapters: { aws: adapter },
  sleep: async () => {},
});
adapter.close();
await warehouse.close();
