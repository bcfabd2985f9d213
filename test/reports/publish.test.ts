/**
 * cco report publish through the real SDKs against s3rver and Azurite on 127.0.0.1: every file
 * with its content type and caching, then a second build's upload removes the first's leftovers.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { BlobServiceClient } from "@azure/storage-blob";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config.ts";
import { publishSite } from "../../reports/publish.ts";
import { freePort } from "../helpers/ports.ts";
import { quiet, tempDir } from "../helpers/tmp.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/** A built site's shape: pages, a hashed script, a data file. */
function site(version: string): string {
  const dir = tempDir();
  mkdirSync(path.join(dir, "_observablehq"), { recursive: true });
  mkdirSync(path.join(dir, "_file", "data"), { recursive: true });
  writeFileSync(path.join(dir, "index.html"), `<!doctype html><title>${version}</title>`);
  writeFileSync(path.join(dir, "spend.html"), "<!doctype html><title>spend</title>");
  writeFileSync(path.join(dir, "_observablehq", `client.${version}.js`), "export {}");
  writeFileSync(path.join(dir, "_file", "data", `meta.${version}.json`), "{}");
  return dir;
}

describe("cco report publish", () => {
  let s3rver: S3rver;
  let azurite: ChildProcess;
  const config = loadConfig({ dataDir: tempDir(), env: {} });

  beforeAll(async () => {
    const s3Port = await freePort();
    s3rver = new S3rver({ port: s3Port, address: "127.0.0.1", directory: tempDir(), silent: true });
    await s3rver.run();
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: "S3RVER",
      AWS_SECRET_ACCESS_KEY: "S3RVER",
      AWS_REGION: "us-east-1",
    });
    config.sources.s3 = { endpoint: `http://127.0.0.1:${s3Port}`, forcePathStyle: true, region: "us-east-1" };
    const blobPort = await freePort();
    azurite = spawn(
      path.join(ROOT, "node_modules/.bin/azurite-blob"),
      [
        "--blobHost",
        "127.0.0.1",
        "--blobPort",
        String(blobPort),
        "--location",
        tempDir(),
        "--skipApiVersionCheck",
        "--disableTelemetry",
        "--silent",
      ],
      { stdio: "ignore" },
    );
    process.env.AZURE_STORAGE_CONNECTION_STRING = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${DEV_KEY};BlobEndpoint=http://127.0.0.1:${blobPort}/devstoreaccount1;`;
  }, 60_000);

  afterAll(async () => {
    await s3rver?.close();
    azurite?.kill();
  });

  it("uploads to S3 with content types and caching, and removes the previous build's files", async () => {
    const s3 = new S3Client({
      ...config.sources.s3,
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
    await s3.send(new CreateBucketCommand({ Bucket: "reports" }));
    const first = await publishSite(site("aaaaaaa1"), "s3://reports/finops", config, quiet);
    expect([first.uploaded, first.removed]).toEqual([4, 0]);
    const second = await publishSite(site("bbbbbbb2"), "s3://reports/finops", config, quiet);
    expect([second.uploaded, second.removed]).toEqual([4, 2]);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: "reports" }));
    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual([
      "finops/_file/data/meta.bbbbbbb2.json",
      "finops/_observablehq/client.bbbbbbb2.js",
      "finops/index.html",
      "finops/spend.html",
    ]);
    const page = await s3.send(new GetObjectCommand({ Bucket: "reports", Key: "finops/index.html" }));
    expect([page.ContentType, page.CacheControl, await page.Body?.transformToString()]).toEqual([
      "text/html; charset=utf-8",
      "no-cache",
      "<!doctype html><title>bbbbbbb2</title>",
    ]);
    const script = await s3.send(
      new GetObjectCommand({ Bucket: "reports", Key: "finops/_observablehq/client.bbbbbbb2.js" }),
    );
    expect([script.ContentType, script.CacheControl]).toEqual([
      "text/javascript",
      "public, max-age=31536000, immutable",
    ]);
    s3.destroy();
  });

  it("uploads to Azure Blob storage likewise", async () => {
    const container = BlobServiceClient.fromConnectionString(
      process.env.AZURE_STORAGE_CONNECTION_STRING!,
    ).getContainerClient("$web");
    for (let attempt = 0; ; attempt++) {
      try {
        await container.createIfNotExists();
        break;
      } catch (error) {
        if (attempt > 50) throw error;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    await publishSite(site("aaaaaaa1"), "azure://$web/report", config, quiet);
    const second = await publishSite(site("bbbbbbb2"), "azure://$web/report", config, quiet);
    expect(second.removed).toBe(2);
    const names: string[] = [];
    for await (const b of container.listBlobsFlat()) names.push(b.name);
    expect(names.sort()).toEqual([
      "report/_file/data/meta.bbbbbbb2.json",
      "report/_observablehq/client.bbbbbbb2.js",
      "report/index.html",
      "report/spend.html",
    ]);
    const props = await container.getBlockBlobClient("report/index.html").getProperties();
    expect([props.contentType, props.cacheControl]).toEqual(["text/html; charset=utf-8", "no-cache"]);
  });

  it("refuses a folder with no built site, and a target it cannot write to, naming them", async () => {
    await expect(publishSite(tempDir(), "s3://reports/x", config, quiet)).rejects.toThrow(
      /no built site here/,
    );
    await expect(publishSite(site("c0ffee00"), "ftp://example/x", config, quiet)).rejects.toThrow(
      /expected s3:\/\/bucket\/prefix/,
    );
  });
});
