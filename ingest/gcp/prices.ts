/**
 * Compute Engine on-demand prices for the price catalogue (`cco catalog refresh`), from the
 * Cloud Billing Catalog API (services.skus.list on Compute Engine, 6F81-5844-456A, REST
 * transport, paginated by pageToken): Google prices a predefined machine type by its parts, so
 * each family's on-demand per-vCPU-hour and per-GiB-hour SKUs in each region are read ("N2
 * Instance Core running in …", "N2 Instance Ram running in …") and a machine type costs
 * vCPUs × the core rate + GiB × the RAM rate (shapes from the catalogue: n2-standard-4 is 4
 * vCPU, 16 GiB). Credentials: GOOGLE_OAUTH_ACCESS_TOKEN when set, else Application Default
 * Credentials. Endpoint: sources.pricing.gcp_billing_endpoint, else Google's.
 */
import type { CloudCatalogClient, protos } from "@google-cloud/billing";
import { CcoError } from "../../core/errors.ts";
import type { Progress } from "../../core/log.ts";
import type { ProviderCatalog, VmPriceRow, VmSizeRow } from "../prices.ts";

export const COMPUTE_ENGINE_SERVICE = "services/6F81-5844-456A";
export const GCP_PRICE_SOURCE = "gcp_cloud_billing_catalog_api";

/** The description of each family's core and RAM SKUs, up to the location ("… running in Americas"). */
const FAMILY_SKUS: Record<string, RegExp> = {
  n1: /^N1 Predefined Instance (Core|Ram) running in /,
  n2: /^N2 Instance (Core|Ram) running in /,
  n2d: /^N2D AMD Instance (Core|Ram) running in /,
  e2: /^E2 Instance (Core|Ram) running in /,
  c2: /^Compute optimized (Core|Ram) running in /,
  c3: /^C3 Instance (Core|Ram) running in /,
};

export interface GcpPriceOptions {
  /** The catalogue's GCP sizes: their family and shape price them. */
  sizes: VmSizeRow[];
  regions: string[];
  endpoint?: string;
  today: string;
  progress: Progress;
}

async function client(apiEndpoint: string | undefined): Promise<CloudCatalogClient> {
  const { CloudCatalogClient } = await import("@google-cloud/billing");
  const { gcpClientOptions } = await import("../../core/gcp-client.ts");
  return new CloudCatalogClient(
    (await gcpClientOptions(apiEndpoint)) as ConstructorParameters<typeof CloudCatalogClient>[0],
  );
}

/** The SKU's on-demand unit price in USD: its first tier that starts at zero (units may be an int64 string). */
function unitPrice(sku: protos.google.cloud.billing.v1.ISku): number | undefined {
  const rates = sku.pricingInfo?.[0]?.pricingExpression?.tieredRates ?? [];
  const rate = rates.find((r) => !r.startUsageAmount) ?? rates[0];
  if (!rate?.unitPrice) return undefined;
  return Number(String(rate.unitPrice.units ?? 0)) + Number(rate.unitPrice.nanos ?? 0) / 1e9;
}

export async function gcpCatalog(options: GcpPriceOptions): Promise<ProviderCatalog> {
  const families = new Set(options.sizes.map((s) => s.family));
  const unknown = [...families].filter((f) => !FAMILY_SKUS[f]);
  if (unknown.length) {
    throw new CcoError(
      `GCP prices: no SKU pattern for the families ${unknown.join(", ")} (ingest/gcp/prices.ts)`,
    );
  }
  // rates["n2/us-central1"] = { core, ram }
  const rates = new Map<string, { core?: number; ram?: number }>();
  const catalog = await client(options.endpoint);
  try {
    await options.progress.step("Reading the Cloud Billing Catalog (Compute Engine SKUs)", async (tick) => {
      let seen = 0;
      // Async iteration pages by itself (autoPaginate false says so, and keeps gax from warning).
      const skus = catalog.listSkusAsync(
        { parent: COMPUTE_ENGINE_SERVICE, currencyCode: "USD", pageSize: 5000 },
        { autoPaginate: false },
      );
      for await (const sku of skus) {
        tick(++seen);
        if (sku.category?.usageType !== "OnDemand") continue;
        const description = sku.description ?? "";
        for (const family of families) {
          const part = FAMILY_SKUS[family]!.exec(description)?.[1];
          if (!part) continue;
          const price = unitPrice(sku);
          if (price === undefined) continue;
          for (const region of sku.serviceRegions ?? []) {
            if (!options.regions.includes(region)) continue;
            const key = `${family}/${region}`;
            const entry = rates.get(key) ?? {};
            if (part === "Core") entry.core = price;
            else entry.ram = price;
            rates.set(key, entry);
          }
        }
      }
    });
  } catch (error) {
    if (error instanceof CcoError) throw error;
    throw new CcoError(`Cloud Billing Catalog: ${(error as Error).message}`, { cause: error });
  } finally {
    await catalog.close();
  }
  const prices: VmPriceRow[] = [];
  for (const region of options.regions) {
    for (const size of options.sizes) {
      const rate = rates.get(`${size.family}/${region}`);
      if (rate?.core === undefined || rate.ram === undefined) continue;
      prices.push({
        provider: "gcp",
        size: size.size,
        region,
        currency: "USD",
        on_demand_hourly: Number((size.vcpu * rate.core + size.memory_gib * rate.ram).toFixed(6)),
        price_source: GCP_PRICE_SOURCE,
        retrieved_on: options.today,
      });
    }
  }
  return { sizes: [], prices };
}
