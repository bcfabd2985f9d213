import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config.ts";
import { UsageError } from "../../core/errors.ts";
import { closeWarehouse, openWarehouse, type Warehouse } from "../../core/warehouse/warehouse.ts";
import { ingestStage, recommendStage, reportStage } from "../../orchestrator/stages.ts";
import { quiet, tempDir } from "../helpers/tmp.ts";

// The stages on a warehouse with nothing in it: each names what is missing and what to run first.
// (The pipeline test runs them all on a generated estate.)
let warehouse: Warehouse;
const dataDir = tempDir();
const config = loadConfig({ dataDir, env: {}, cwd: dataDir });

beforeAll(async () => {
  warehouse = await openWarehouse(config);
});
afterAll(closeWarehouse);

describe("stages", () => {
  it("ingest: a path that does not exist is a usage error", async () => {
    const missing = path.join(dataDir, "no-such-export.csv");
    await expect(ingestStage(warehouse, config, [missing], {}, quiet)).rejects.toThrow(
      new UsageError(`${missing}: no such file or folder`),
    );
  });

  it("recommend: before a models build, names the missing mart", async () => {
    await expect(recommendStage(warehouse, config, quiet)).rejects.toThrow(
      /^marts\.cost_daily does not exist: build the models first/,
    );
  });

  it("report: without the marts' snapshots, names them and the commands that write them", async () => {
    await expect(reportStage(config, path.join(dataDir, "site"), quiet)).rejects.toThrow(
      `no Parquet snapshot of marts.cost_daily, marts.recommendations in ${config.paths.marts}`,
    );
  });
});
