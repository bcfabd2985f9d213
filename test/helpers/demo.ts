/** The demo pipeline on a generated estate in a fresh data directory, for tests that read its results. */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type Config, loadConfig } from "../../core/config.ts";
import { openWarehouse, type Warehouse } from "../../core/warehouse/warehouse.ts";
import type { Truth } from "../../orchestrator/estate-generator/truth.ts";
import { runPipeline } from "../../orchestrator/pipeline.ts";
import { quiet, tempDir } from "./tmp.ts";

/** `demoActions`: also approve and execute the demo's rows in the sandbox (as `cco run --demo` does). */
export async function runDemo(
  configYaml: string,
  { demoActions = false }: { demoActions?: boolean } = {},
): Promise<{ warehouse: Warehouse; config: Config; dataDir: string; truth: Truth }> {
  const dataDir = tempDir();
  const configFile = path.join(dataDir, "cco.config.yaml");
  writeFileSync(configFile, configYaml);
  const config = loadConfig({ configFile, dataDir, env: {} });
  const warehouse = await openWarehouse(config);
  await runPipeline(warehouse, config, { demo: true, inputs: [], demoActions }, quiet);
  const truth = JSON.parse(readFileSync(path.join(config.paths.estate, "truth.json"), "utf8")) as Truth;
  return { warehouse, config, dataDir, truth };
}
