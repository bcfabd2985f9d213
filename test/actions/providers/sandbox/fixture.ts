/** A tiny generated estate through ingest and the models (no ML, no report): what the sandbox is made from. */
import { mkdtempSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type Config, loadConfig } from "../../../../core/config.ts";
import { sandboxSchema } from "../../../../core/sandbox-settings.ts";
import { openWarehouse, type Warehouse } from "../../../../core/warehouse/warehouse.ts";
import { generateEstate } from "../../../../orchestrator/estate-generator/generate.ts";
import { ingestStage, modelsStage } from "../../../../orchestrator/stages.ts";
import { quiet, tempDir } from "../../../helpers/tmp.ts";

export async function tinyEstate(): Promise<{ warehouse: Warehouse; config: Config }> {
  const dataDir = tempDir("cco-sandbox-");
  const configFile = path.join(dataDir, "cco.config.yaml");
  writeFileSync(configFile, "generate:\n  resources: 60\n  days: 35\n");
  const config = loadConfig({ configFile, dataDir, env: {} });
  const warehouse = await openWarehouse(config);
  const g = config.generate;
  await generateEstate(
    { seed: g.seed, resources: g.resources, days: g.days, endDate: g.endDate },
    config.paths.estate,
    quiet,
  );
  await ingestStage(warehouse, config, [config.paths.estate], {}, quiet);
  const build = await modelsStage(warehouse, config, { runModels: true, runTests: false }, quiet);
  if (build.failed) throw new Error(`models failed: ${build.failed}`);
  return { warehouse, config };
}

/** The same config with its own sandbox folder and these sandbox settings. */
export function withSandbox(config: Config, settings: Record<string, unknown> = {}): Config {
  const dataDir = mkdtempSync(path.join(config.dataDir, "sandbox-case-"));
  return { ...config, dataDir, actions: { ...config.actions, sandbox: sandboxSchema.parse(settings) } };
}
