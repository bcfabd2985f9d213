/**
 * `cco catalog refresh` as a user runs it (a process through bin/cco.js), against local servers
 * replaying the three price APIs: the seeds rewritten with the APIs' prices for the refreshed
 * providers and regions, every other row kept, the changes printed, and nothing written when
 * an API answers with no price.
 */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AwsJsonStub } from "../../../helpers/aws-json-stub.ts";
import type { HttpsJsonStub } from "../../../helpers/https-json-stub.ts";
import {
  type GcpCatalogStub,
  startAwsPricing,
  startAzureRetail,
  startGcpCatalog,
} from "../../../helpers/price-apis.ts";
import { tempDir } from "../../../helpers/tmp.ts";
import { ROOT } from "../run-cli.ts";

const SIZES = [
  "provider,size,family,generation,previous_generation,successor_size,vcpu,memory_gib,architecture,burstable",
  "aws,m6g.large,m6g,6,false,,2,4,x86_64,false",
  "aws,m6i.large,m6i,6,false,,2,8,x86_64,false",
  "azure,Standard_D2s_v5,Dsv5,5,false,,2,8,x86_64,false",
  "gcp,n2-standard-2,n2,2,false,,2,8,x86_64,false",
  "oci,VM.Standard.E4.Flex.2,E4,4,false,,4,16,x86_64,false",
].join("\n");

const PRICES = [
  "provider,size,region,currency,on_demand_hourly,price_source,retrieved_on",
  "aws,m6g.large,eu-west-1,USD,0.077,published_list_2025:us-east-1,",
  "aws,m6i.large,eu-west-1,USD,0.096,published_list_2025:us-east-1,",
  "aws,m6g.large,us-east-1,USD,0.077,published_list_2025,",
  "aws,m6i.large,us-east-1,USD,0.096,published_list_2025,",
  "azure,Standard_D2s_v5,eastus,USD,0.096,published_list_2025,",
  "azure,Standard_D2s_v5,westeurope,EUR,0.0886,published_list_2025:eastus_usd_in_eur,",
  "gcp,n2-standard-2,us-central1,USD,0.0971,published_list_2025,",
  "oci,VM.Standard.E4.Flex.2,us-ashburn-1,USD,0.074,published_list_2025,",
].join("\n");

const INTEL = { vcpu: "2", memory: "8 GiB", physicalProcessor: "Intel Xeon 8375C (Ice Lake)" };
const GRAVITON = { vcpu: "2", memory: "8 GiB", physicalProcessor: "AWS Graviton2 Processor" };

let aws: AwsJsonStub;
let azure: HttpsJsonStub;
let gcp: GcpCatalogStub;
let cwd: string;

beforeAll(async () => {
  aws = await startAwsPricing([
    { instanceType: "m6i.large", region: "us-east-1", usd: "0.0960000000", ...INTEL },
    { instanceType: "m6i.large", region: "eu-west-1", usd: "0.1070000000", ...INTEL },
    { instanceType: "m6g.large", region: "us-east-1", usd: "0.0770000000", ...GRAVITON },
    { instanceType: "m6g.large", region: "eu-west-1", usd: "0.0860000000", ...GRAVITON },
  ]);
  azure = await startAzureRetail(tempDir(), [
    { armSkuName: "Standard_D2s_v5", region: "westeurope", currency: "EUR", price: 0.0997 },
    { armSkuName: "Standard_D2s_v5", region: "westeurope", currency: "EUR", price: 0.1817, kind: "windows" },
    { armSkuName: "Standard_D2s_v5", region: "eastus", currency: "USD", price: 0.096 },
  ]);
  gcp = await startGcpCatalog([
    { description: "N2 Instance Core running in Americas", regions: ["us-central1"], price: 0.031611 },
    { description: "N2 Instance Ram running in Americas", regions: ["us-central1"], price: 0.004237 },
  ]);
  cwd = tempDir();
  writeFileSync(
    path.join(cwd, "cco.config.yaml"),
    [
      "sources:",
      "  pricing:",
      `    aws_endpoint: ${aws.url}`,
      `    azure_retail_endpoint: ${azure.url}`,
      `    gcp_billing_endpoint: ${gcp.url}`,
      "",
    ].join("\n"),
  );
});

afterAll(async () => {
  await Promise.all([aws?.close(), azure?.close(), gcp?.close()]);
});

/** The CLI in a child process, awaited without blocking this process (its servers must answer). */
function cco(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, "bin/cco.js"), ...args], {
      cwd,
      env: {
        ...process.env,
        CCO_DEBUG: "",
        CCO_DATA_DIR: path.join(cwd, "data"),
        NODE_TLS_REJECT_UNAUTHORIZED: "0",
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
        GOOGLE_OAUTH_ACCESS_TOKEN: "test-token",
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

function seeds(): string {
  const dir = tempDir();
  writeFileSync(path.join(dir, "catalog_vm_sizes.csv"), `${SIZES}\n`);
  writeFileSync(path.join(dir, "catalog_vm_prices.csv"), `${PRICES}\n`);
  return dir;
}

const read = (dir: string, file: string) => readFileSync(path.join(dir, file), "utf8").trim().split("\n");

describe("cco catalog refresh", () => {
  it("rewrites every provider's prices from its API, keeps OCI's rows, and prints what changed", async () => {
    const dir = seeds();
    const r = await cco(["--json", "catalog", "refresh", "--seeds-dir", dir]);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(
      out.refreshed.map((s: { provider: string; regions: unknown; prices: number }) => [
        s.provider,
        s.regions,
        s.prices,
      ]),
    ).toEqual([
      [
        "aws",
        [
          { region: "eu-west-1", currency: "USD" },
          { region: "us-east-1", currency: "USD" },
        ],
        4,
      ],
      [
        "azure",
        [
          { region: "eastus", currency: "USD" },
          { region: "westeurope", currency: "EUR" },
        ],
        2,
      ],
      ["gcp", [{ region: "us-central1", currency: "USD" }], 1],
    ]);
    expect(out.changes).toEqual([
      {
        provider: "aws",
        size: "m6g.large",
        region: "eu-west-1",
        currency: "USD",
        before: 0.077,
        after: 0.086,
      },
      {
        provider: "aws",
        size: "m6i.large",
        region: "eu-west-1",
        currency: "USD",
        before: 0.096,
        after: 0.107,
      },
      {
        provider: "azure",
        size: "Standard_D2s_v5",
        region: "westeurope",
        currency: "EUR",
        before: 0.0886,
        after: 0.0997,
      },
      {
        provider: "gcp",
        size: "n2-standard-2",
        region: "us-central1",
        currency: "USD",
        before: 0.0971,
        after: 0.097118,
      },
    ]);
    expect(out.sizes_changed).toEqual(["aws/m6g.large"]);
    expect(read(dir, "catalog_vm_prices.csv")).toEqual([
      "provider,size,region,currency,on_demand_hourly,price_source,retrieved_on",
      expect.stringMatching(/^aws,m6g\.large,eu-west-1,USD,0\.086,aws_price_list_api,\d{4}-\d{2}-\d{2}$/),
      expect.stringMatching(/^aws,m6i\.large,eu-west-1,USD,0\.107,aws_price_list_api,/),
      expect.stringMatching(/^aws,m6g\.large,us-east-1,USD,0\.077,aws_price_list_api,/),
      expect.stringMatching(/^aws,m6i\.large,us-east-1,USD,0\.096,aws_price_list_api,/),
      expect.stringMatching(/^azure,Standard_D2s_v5,eastus,USD,0\.096,azure_retail_prices_api,/),
      expect.stringMatching(/^azure,Standard_D2s_v5,westeurope,EUR,0\.0997,azure_retail_prices_api,/),
      expect.stringMatching(/^gcp,n2-standard-2,us-central1,USD,0\.097118,gcp_cloud_billing_catalog_api,/),
      "oci,VM.Standard.E4.Flex.2,us-ashburn-1,USD,0.074,published_list_2025,",
    ]);
    // The API's shape for m6g.large (8 GiB, Graviton); the rest of each row as the seed had it.
    expect(read(dir, "catalog_vm_sizes.csv")[1]).toBe("aws,m6g.large,m6g,6,false,,2,8,arm64,false");
    expect(read(dir, "catalog_vm_sizes.csv").slice(2)).toEqual(SIZES.split("\n").slice(2));
  });

  it("refreshes one provider's chosen regions only, in words without --json", async () => {
    const dir = seeds();
    const r = await cco([
      "catalog",
      "refresh",
      "--provider",
      "aws",
      "--region",
      "eu-west-1",
      "--seeds-dir",
      dir,
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^aws: 2 prices in eu-west-1 \(USD\)$/m);
    expect(r.stdout).toMatch(/^ {2}~ aws eu-west-1 m6i\.large\s+0\.096 -> 0\.107 USD$/m);
    const after = read(dir, "catalog_vm_prices.csv");
    expect(after.filter((l) => l.includes("aws_price_list_api"))).toHaveLength(2);
    expect(after.filter((l) => !l.includes("eu-west-1")).sort()).toEqual(
      PRICES.split("\n")
        .filter((l) => !l.includes("eu-west-1"))
        .sort(),
    );
  });

  it("writes nothing when an API has no price for a region, and refuses what it cannot refresh", async () => {
    const dir = seeds();
    const failed = await cco([
      "catalog",
      "refresh",
      "--provider",
      "gcp",
      "--region",
      "asia-east1",
      "--seeds-dir",
      dir,
    ]);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(
      /gcp: the price API returned no price for asia-east1 \(USD\).*nothing was written/,
    );
    expect(read(dir, "catalog_vm_prices.csv")).toEqual(PRICES.split("\n"));
    const oci = await cco(["catalog", "refresh", "--provider", "oci", "--seeds-dir", dir]);
    expect(oci.status).toBe(2);
    expect(oci.stderr).toMatch(/expected one of aws, azure, gcp/);
    const regionOnly = await cco(["catalog", "refresh", "--region", "eu-west-1", "--seeds-dir", dir]);
    expect(regionOnly.status).toBe(2);
    expect(regionOnly.stderr).toMatch(/--region needs --provider/);
  });
});
