/**
 * Cloud Billing Catalog prices for the catalogue through the real @google-cloud/billing client
 * (REST transport) against a local server replaying services.skus.list: each family's on-demand
 * core and RAM SKUs in each region price a machine type by its shape, across every page.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gcpCatalog } from "../../../ingest/gcp/prices.ts";
import type { VmSizeRow } from "../../../ingest/prices.ts";
import { type GcpCatalogStub, startGcpCatalog } from "../../helpers/price-apis.ts";
import { quiet } from "../../helpers/tmp.ts";

let stub: GcpCatalogStub;

beforeAll(async () => {
  process.env.GOOGLE_OAUTH_ACCESS_TOKEN = "test-token";
  stub = await startGcpCatalog([
    {
      description: "N2 Instance Core running in Americas",
      regions: ["us-central1", "us-east1"],
      price: 0.031611,
    },
    {
      description: "N2 Instance Ram running in Americas",
      regions: ["us-central1", "us-east1"],
      price: 0.004237,
    },
    { description: "N2 Instance Core running in Belgium", regions: ["europe-west1"], price: 0.034773 },
    // Lookalikes a client must not take for the predefined N2 rates.
    { description: "N2 Custom Instance Core running in Americas", regions: ["us-central1"], price: 0.033 },
    { description: "N2D AMD Instance Core running in Americas", regions: ["us-central1"], price: 0.027502 },
    {
      description: "N2 Instance Core running in Americas",
      regions: ["us-central1"],
      price: 0.0076,
      usageType: "Preemptible",
    },
    { description: "E2 Instance Core running in Americas", regions: ["us-central1"], price: 0.021811 },
    { description: "E2 Instance Ram running in Americas", regions: ["us-central1"], price: 0.002923 },
    { description: "N2 Instance Ram running in Belgium", regions: ["europe-west1"], price: 0.004661 },
  ]);
});

afterAll(async () => {
  delete process.env.GOOGLE_OAUTH_ACCESS_TOKEN;
  await stub?.close();
});

const size = (name: string, family: string, vcpu: number, memory: number): VmSizeRow => ({
  provider: "gcp",
  size: name,
  family,
  generation: 2,
  previous_generation: false,
  successor_size: null,
  vcpu,
  memory_gib: memory,
  architecture: "x86_64",
  burstable: false,
});

describe("Cloud Billing Catalog prices", () => {
  it("prices each machine type as vCPUs × the core rate + GiB × the RAM rate of its family and region", async () => {
    const catalog = await gcpCatalog({
      sizes: [
        size("n2-standard-2", "n2", 2, 8),
        size("n2-highmem-4", "n2", 4, 32),
        size("e2-standard-2", "e2", 2, 8),
      ],
      regions: ["us-central1", "europe-west1"],
      endpoint: stub.url,
      today: "2026-11-30",
      progress: quiet,
    });
    expect(
      stub.requests.map((u) => [
        u.pathname,
        u.searchParams.get("currencyCode"),
        u.searchParams.get("pageToken"),
      ]),
    ).toEqual([
      ["/v1/services/6F81-5844-456A/skus", "USD", null],
      ["/v1/services/6F81-5844-456A/skus", "USD", "page-2"],
    ]);
    const row = (name: string, region: string, price: number) => ({
      provider: "gcp",
      size: name,
      region,
      currency: "USD",
      on_demand_hourly: price,
      price_source: "gcp_cloud_billing_catalog_api",
      retrieved_on: "2026-11-30",
    });
    expect(catalog.prices).toEqual([
      row("n2-standard-2", "us-central1", 0.097118),
      row("n2-highmem-4", "us-central1", 0.262028),
      row("e2-standard-2", "us-central1", 0.067006),
      // Belgium's rates; E2 has no europe-west1 SKUs on this replay, so no price there.
      row("n2-standard-2", "europe-west1", 0.106834),
      row("n2-highmem-4", "europe-west1", 0.288244),
    ]);
  });

  it("refuses a family it has no SKU pattern for rather than pricing it wrong", async () => {
    await expect(
      gcpCatalog({
        sizes: [size("t2a-standard-2", "t2a", 2, 8)],
        regions: ["us-central1"],
        endpoint: stub.url,
        today: "2026-11-30",
        progress: quiet,
      }),
    ).rejects.toThrow(/no SKU pattern for the families t2a/);
  });
});
