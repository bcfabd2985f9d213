/**
 * AWS Price List prices for the catalogue through the real @aws-sdk/client-pricing client,
 * against a local server speaking the AWS JSON 1.1 protocol (AWSPriceListService.GetProducts)
 * and replaying PriceList items in their documented shape (JSON strings).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCatalog, awsFilters } from "../../../ingest/aws/prices.ts";
import type { VmSizeRow } from "../../../ingest/prices.ts";
import type { AwsJsonStub } from "../../helpers/aws-json-stub.ts";
import { startAwsPricing } from "../../helpers/price-apis.ts";
import { quiet } from "../../helpers/tmp.ts";

const INTEL = { vcpu: "2", memory: "8 GiB", physicalProcessor: "Intel Xeon 8375C (Ice Lake)" };
const GRAVITON = { vcpu: "2", memory: "8 GiB", physicalProcessor: "AWS Graviton2 Processor" };

let stub: AwsJsonStub;

beforeAll(async () => {
  stub = await startAwsPricing([
    { instanceType: "m6i.large", region: "us-east-1", usd: "0.0960000000", ...INTEL },
    { instanceType: "m6i.large", region: "eu-west-1", usd: "0.1070000000", ...INTEL },
    { instanceType: "m6g.large", region: "us-east-1", usd: "0.0770000000", ...GRAVITON },
    { instanceType: "m6g.large", region: "eu-west-1", usd: "0.0860000000", ...GRAVITON },
  ]);
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" });
});

afterAll(async () => {
  await stub?.close();
});

const size = (name: string, family: string): VmSizeRow => ({
  provider: "aws",
  size: name,
  family,
  generation: 6,
  previous_generation: false,
  successor_size: null,
  vcpu: 0,
  memory_gib: 0,
  architecture: "x86_64",
  burstable: false,
});

describe("AWS Price List prices", () => {
  it("asks GetProducts for each instance type and region with the Linux on-demand filters, page by page", async () => {
    const catalog = await awsCatalog({
      sizes: [size("m6i.large", "m6i"), size("m6g.large", "m6g"), size("m4.large", "m4")],
      regions: ["us-east-1", "eu-west-1"],
      endpoint: stub.url,
      today: "2026-11-30",
      progress: quiet,
    });
    const calls = stub.requests.filter((r) => r.target === "AWSPriceListService.GetProducts");
    // Six queries; the four that find a product follow its second page.
    expect(calls).toHaveLength(10);
    expect(calls.every((c) => c.body.ServiceCode === "AmazonEC2" && c.body.FormatVersion === "aws_v1")).toBe(
      true,
    );
    const ireland = calls.filter(
      (c) =>
        JSON.stringify(c.body.Filters).includes('"m6i.large"') &&
        JSON.stringify(c.body.Filters).includes("Ireland"),
    );
    expect(ireland.map((c) => c.body.NextToken ?? null)).toEqual([null, "page-2"]);
    expect(ireland[0]!.body.Filters).toEqual([
      { Type: "TERM_MATCH", Field: "instanceType", Value: "m6i.large" },
      { Type: "TERM_MATCH", Field: "location", Value: "EU (Ireland)" },
      { Type: "TERM_MATCH", Field: "operatingSystem", Value: "Linux" },
      { Type: "TERM_MATCH", Field: "tenancy", Value: "Shared" },
      { Type: "TERM_MATCH", Field: "preInstalledSw", Value: "NA" },
      { Type: "TERM_MATCH", Field: "capacitystatus", Value: "Used" },
    ]);
    // The instance's price, not the dedicated-host product on the first page; m4.large has none.
    const row = (name: string, region: string, price: number) => ({
      provider: "aws",
      size: name,
      region,
      currency: "USD",
      on_demand_hourly: price,
      price_source: "aws_price_list_api",
      retrieved_on: "2026-11-30",
    });
    expect(
      [...catalog.prices].sort((a, b) => `${a.size}${a.region}`.localeCompare(`${b.size}${b.region}`)),
    ).toEqual([
      row("m6g.large", "eu-west-1", 0.086),
      row("m6g.large", "us-east-1", 0.077),
      row("m6i.large", "eu-west-1", 0.107),
      row("m6i.large", "us-east-1", 0.096),
    ]);
    // The API describes each size it priced: vCPU, memory and processor (Graviton is arm64).
    expect(
      catalog.sizes
        .map((s) => [s.size, s.vcpu, s.memory_gib, s.architecture])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    ).toEqual([
      ["m6g.large", 2, 8, "arm64"],
      ["m6i.large", 2, 8, "x86_64"],
    ]);
  });

  it("filters a region the location table does not name by its region code", () => {
    expect(awsFilters("m7i.large", "mx-central-1")[1]).toEqual({
      Type: "TERM_MATCH",
      Field: "regionCode",
      Value: "mx-central-1",
    });
  });
});
