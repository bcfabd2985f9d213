/**
 * Azure Retail Prices for the catalogue against a local HTTPS server replaying the API's
 * documented shape (Items, NextPageLink): the filter asked, the pages followed, and only the
 * Linux pay-as-you-go meter of each catalogue size kept.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { azureCatalog } from "../../../ingest/azure/prices.ts";
import type { VmSizeRow } from "../../../ingest/prices.ts";
import type { HttpsJsonStub } from "../../helpers/https-json-stub.ts";
import { startAzureRetail } from "../../helpers/price-apis.ts";
import { quiet, tempDir } from "../../helpers/tmp.ts";

let stub: HttpsJsonStub;

beforeAll(async () => {
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
  stub = await startAzureRetail(tempDir(), [
    { armSkuName: "Standard_D2s_v5", region: "westeurope", currency: "EUR", price: 0.1, kind: "windows" },
    { armSkuName: "Standard_D2s_v5", region: "westeurope", currency: "EUR", price: 0.02, kind: "spot" },
    {
      armSkuName: "Standard_D2s_v5",
      region: "westeurope",
      currency: "EUR",
      price: 0.0199,
      kind: "low priority",
    },
    { armSkuName: "Standard_D2s_v5", region: "westeurope", currency: "EUR", price: 0.0997 },
    { armSkuName: "Standard_D96s_v5", region: "westeurope", currency: "EUR", price: 4.78 },
    { armSkuName: "Standard_E4s_v5", region: "westeurope", currency: "EUR", price: 0.2618 },
    { armSkuName: "Standard_D2s_v5", region: "eastus", currency: "USD", price: 0.096 },
  ]);
});

afterAll(async () => {
  await stub?.close();
});

const size = (name: string): VmSizeRow => ({
  provider: "azure",
  size: name,
  family: "x",
  generation: 5,
  previous_generation: false,
  successor_size: null,
  vcpu: 2,
  memory_gib: 8,
  architecture: "x86_64",
  burstable: false,
});

describe("Azure Retail Prices", () => {
  it("reads each region's Virtual Machines consumption meters in its currency, every page, Linux only", async () => {
    const catalog = await azureCatalog({
      sizes: [size("Standard_D2s_v5"), size("Standard_E4s_v5")],
      regions: [
        { region: "westeurope", currency: "EUR" },
        { region: "eastus", currency: "USD" },
      ],
      endpoint: stub.url,
      today: "2026-11-30",
      progress: quiet,
    });
    const asked = stub.requests.map((r) => ({
      path: r.url.pathname,
      version: r.url.searchParams.get("api-version"),
      currency: r.url.searchParams.get("currencyCode"),
      filter: r.url.searchParams.get("$filter"),
      skip: r.url.searchParams.get("$skip"),
    }));
    const filter = (region: string) =>
      `serviceName eq 'Virtual Machines' and armRegionName eq '${region}' and priceType eq 'Consumption'`;
    expect(asked).toEqual([
      {
        path: "/api/retail/prices",
        version: "2023-01-01-preview",
        currency: "EUR",
        filter: filter("westeurope"),
        skip: null,
      },
      {
        path: "/api/retail/prices",
        version: "2023-01-01-preview",
        currency: "EUR",
        filter: filter("westeurope"),
        skip: "3",
      },
      {
        path: "/api/retail/prices",
        version: "2023-01-01-preview",
        currency: "USD",
        filter: filter("eastus"),
        skip: null,
      },
      {
        path: "/api/retail/prices",
        version: "2023-01-01-preview",
        currency: "USD",
        filter: filter("eastus"),
        skip: "1",
      },
    ]);
    const row = (name: string, region: string, currency: string, price: number) => ({
      provider: "azure",
      size: name,
      region,
      currency,
      on_demand_hourly: price,
      price_source: "azure_retail_prices_api",
      retrieved_on: "2026-11-30",
    });
    // The E4s_v5 meter is on the second page; D96s_v5 is not in the catalogue.
    expect(catalog.prices).toEqual([
      row("Standard_D2s_v5", "westeurope", "EUR", 0.0997),
      row("Standard_E4s_v5", "westeurope", "EUR", 0.2618),
      row("Standard_D2s_v5", "eastus", "USD", 0.096),
    ]);
    expect(catalog.sizes).toEqual([]);
  });

  it("fails naming the URL when the API answers with an error", async () => {
    await expect(
      azureCatalog({
        sizes: [size("Standard_D2s_v5")],
        regions: [{ region: "westeurope", currency: "EUR" }],
        endpoint: `${stub.url}/nowhere/`,
        today: "2026-11-30",
        progress: quiet,
      }),
    ).rejects.toThrow(
      /Azure Retail Prices: https:\/\/127\.0\.0\.1:\d+\/nowhere\/api\/retail\/prices\?.*HTTP 404/,
    );
  });
});
