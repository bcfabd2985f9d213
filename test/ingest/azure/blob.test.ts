/** azure:// through the real Azure SDK against Azurite on 127.0.0.1, started and stopped here. */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../core/config.ts";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { ingestPaths } from "../../../ingest/load.ts";
import { resolveTargets } from "../../../ingest/providers.ts";
import { generateEstate, type GenerateResult } from "../../../orchestrator/estate-generator/generate.ts";
import { freePort } from "../../helpers/ports.ts";
import { quiet, tempDir } from "../../helpers/tmp.ts";

const ROOT = path.resolve(import.meta.dirname, "../../..");
// Azurite's published development account (not a secret).
const DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
let azurite: ChildProcess;
let estate: GenerateResult;

beforeAll(async () => {
  const port = await freePort();
  azurite = spawn(
    path.join(ROOT, "node_modules/.bin/azurite-blob"),
    [
      "--blobHost",
      "127.0.0.1",
      "--blobPort",
      String(port),
      "--location",
      tempDir(),
      "--skipApiVersionCheck",
      "--disableTelemetry",
      "--silent",
    ],
    { stdio: "ignore" },
  );
  process.env.AZURE_STORAGE_CONNECTION_STRING = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${DEV_KEY};BlobEndpoint=http://127.0.0.1:${port}/devstoreaccount1;`;
  const service = BlobServiceClient.fromConnectionString(process.env.AZURE_STORAGE_CONNECTION_STRING);
  const container = service.getContainerClient("costexports");
  for (let attempt = 0; ; attempt++) {
    try {
      await container.createIfNotExists();
      break;
    } catch (error) {
      if (attempt > 50) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  estate = await generateEstate(
    { seed: 9, resources: 60, days: 35, endDate: "2026-10-31" },
    tempDir(),
    quiet,
  );
  for (const file of estate.files.filter((f) => f.includes(`${path.sep}azure${path.sep}`))) {
    const name = `acme/${path.relative(path.join(estate.outDir, "azure"), file)}`;
    const body = readFileSync(file);
    await container.getBlockBlobClient(name).upload(body, body.length);
  }
});

afterAll(() => {
  azurite?.kill();
  delete process.env.AZURE_STORAGE_CONNECTION_STRING;
});

describe("ingest from azure://", () => {
  it("copies the Cost Management exports and loads actual and amortized cost", async () => {
    const dataDir = tempDir();
    const config = loadConfig({ dataDir, env: {}, cwd: dataDir });
    const [local] = await resolveTargets(["azure://costexports/acme"], {
      cacheDir: config.paths.cache,
      config,
      progress: quiet,
    });
    const w = await Warehouse.open({ path: ":memory:" });
    const results = await ingestPaths(w, [local!], { lakeDir: config.paths.lake }, quiet);
    expect(new Set(results.map((r) => r.format))).toEqual(new Set(["azure_actual", "azure_amortized"]));
    expect(results.every((r) => r.status === "loaded")).toBe(true);
    const fromDisk = await ingestPaths(
      await Warehouse.open({ path: ":memory:" }),
      [path.join(estate.outDir, "azure")],
      { lakeDir: tempDir() },
      quiet,
    );
    expect(results.map((r) => r.totals)).toEqual(fromDisk.map((r) => r.totals));
    await w.close();
  });

  it("explains what is missing without a connection string", async () => {
    const saved = process.env.AZURE_STORAGE_CONNECTION_STRING;
    delete process.env.AZURE_STORAGE_CONNECTION_STRING;
    const config = loadConfig({ dataDir: tempDir(), env: {} });
    await expect(
      resolveTargets(["azure://costexports/acme"], { cacheDir: config.paths.cache, config, progress: quiet }),
    ).rejects.toThrow(/azure:\/\/costexports\/acme: set AZURE_STORAGE_CONNECTION_STRING/);
    process.env.AZURE_STORAGE_CONNECTION_STRING = saved;
  });
});
