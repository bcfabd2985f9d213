/** s3:// through the real AWS SDK against s3rver on 127.0.0.1, started and stopped here. */
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../core/config.ts";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { ingestPaths } from "../../../ingest/load.ts";
import { resolveTargets } from "../../../ingest/providers.ts";
import { generateEstate, type GenerateResult } from "../../../orchestrator/estate-generator/generate.ts";
import { freePort } from "../../helpers/ports.ts";
import { quiet, tempDir } from "../../helpers/tmp.ts";

let server: S3rver;
let endpoint: string;
let estate: GenerateResult;
const credentials = { AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER", AWS_REGION: "us-east-1" };

beforeAll(async () => {
  const port = await freePort();
  server = new S3rver({ port, address: "127.0.0.1", directory: tempDir(), silent: true });
  await server.run();
  endpoint = `http://127.0.0.1:${port}`;
  Object.assign(process.env, credentials);
  estate = await generateEstate(
    { seed: 9, resources: 60, days: 35, endDate: "2026-10-31" },
    tempDir(),
    quiet,
  );
  const s3 = new S3Client({
    endpoint,
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  await s3.send(new CreateBucketCommand({ Bucket: "billing" }));
  for (const file of estate.files.filter((f) => f.includes(`${path.sep}aws${path.sep}`))) {
    const key = `exports/${path.relative(path.join(estate.outDir, "aws"), file)}`;
    await s3.send(new PutObjectCommand({ Bucket: "billing", Key: key, Body: readFileSync(file) }));
  }
  s3.destroy();
});

afterAll(async () => {
  await server?.close();
});

/** A fresh data directory whose config points at the local S3 server. */
function s3Config() {
  const dataDir = tempDir();
  const config = loadConfig({ dataDir, env: {}, cwd: dataDir });
  config.sources.s3 = { endpoint, forcePathStyle: true, region: "us-east-1" };
  return config;
}

function fetchExports(config: ReturnType<typeof loadConfig>) {
  return resolveTargets(["s3://billing/exports"], { cacheDir: config.paths.cache, config, progress: quiet });
}

describe("ingest from s3://", () => {
  it("copies the CUR exports under the prefix and loads them, manifests included", async () => {
    const config = s3Config();
    const [local] = await fetchExports(config);
    expect(local).toBe(path.join(config.paths.cache, "s3", "billing", "exports"));
    const w = await Warehouse.open({ path: ":memory:" });
    const results = await ingestPaths(w, [local!], { lakeDir: config.paths.lake }, quiet);
    const expected = estate.files.filter(
      (f) => f.startsWith(path.join(estate.outDir, "aws")) && /\.(parquet|csv\.gz)$/.test(f),
    ).length;
    expect(results.filter((r) => r.status === "loaded")).toHaveLength(expected);
    // Bytes arrive intact: the totals equal those of the same files loaded from disk.
    const direct = await Warehouse.open({ path: ":memory:" });
    const fromDisk = await ingestPaths(
      direct,
      [path.join(estate.outDir, "aws")],
      { lakeDir: tempDir() },
      quiet,
    );
    expect(results.map((r) => r.totals)).toEqual(fromDisk.map((r) => r.totals));
    await w.close();
    await direct.close();
  });

  it("does not download unchanged objects again", async () => {
    const config = s3Config();
    const [local] = await fetchExports(config);
    const file = estate.files.find((f) => /cur2.*\.parquet$/.test(f))!;
    const cached = path.join(local!, path.relative(path.join(estate.outDir, "aws"), file));
    const before = statSync(cached).mtimeMs;
    await fetchExports(config);
    expect(statSync(cached).mtimeMs).toBe(before);
  });

  it("names the URI when the bucket cannot be read", async () => {
    const config = s3Config();
    await expect(
      resolveTargets(["s3://no-such-bucket/x"], { cacheDir: config.paths.cache, config, progress: quiet }),
    ).rejects.toThrow(/^s3:\/\/no-such-bucket\/x: cannot read from S3: NoSuchBucket/);
    // The SDK's own error stays attached (CCO_DEBUG=1 prints it; retries read its status).
    const error = await resolveTargets(["s3://no-such-bucket/x"], {
      cacheDir: config.paths.cache,
      config,
      progress: quiet,
    }).catch((e: unknown) => e);
    expect((error as Error).cause).toMatchObject({
      name: "NoSuchBucket",
      $metadata: { httpStatusCode: 404 },
    });
  });
});
