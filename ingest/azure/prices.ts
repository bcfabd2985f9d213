/**
 * Azure VM pay-as-you-go prices for the price catalogue (`cco catalog refresh`), from the Azure
 * Retail Prices API (no credentials needed): for each region and currency, every Virtual
 * Machines consumption meter (`$filter=serviceName eq 'Virtual Machines' and armRegionName eq
 * '<region>' and priceType eq 'Consumption'`), paginated by NextPageLink. Spot, Low Priority and
 * Windows meters are skipped: what is left is the Linux price of each size (armSkuName).
 * Endpoint: sources.pricing.azure_retail_endpoint.
 */
import { CcoError } from "../../core/errors.ts";
import type { Progress } from "../../core/log.ts";
import type { ProviderCatalog, VmPriceRow, VmSizeRow } from "../prices.ts";

export const AZURE_PRICE_SOURCE = "azure_retail_prices_api";
export const AZURE_API_VERSION = "2023-01-01-preview";

export interface AzurePriceOptions {
  /** The catalogue's Azure sizes: the armSkuNames priced. */
  sizes: VmSizeRow[];
  /** Each region with the currency its prices are read in. */
  regions: { region: string; currency: string }[];
  endpoint: string;
  today: string;
  progress: Progress;
}

/** One item of the API's Items array (the fields read here). */
interface RetailPrice {
  currencyCode: string;
  retailPrice: number;
  armRegionName: string;
  armSkuName: string;
  skuName: string;
  meterName: string;
  productName: string;
  type: string;
  unitOfMeasure: string;
  isPrimaryMeterRegion?: boolean;
  effectiveStartDate?: string;
}

/** The first page's URL for one region and currency. */
export function azureRetailUrl(endpoint: string, region: string, currency: string): string {
  const filter = `serviceName eq 'Virtual Machines' and armRegionName eq '${region}' and priceType eq 'Consumption'`;
  // Spelled as the API's documentation spells it: $filter, spaces as %20.
  const query = `api-version=${AZURE_API_VERSION}&currencyCode=${encodeURIComponent(currency)}&$filter=${encodeURIComponent(filter)}`;
  // Under the endpoint's own path, if it has one (a proxy's prefix).
  const base = new URL("api/retail/prices", endpoint.endsWith("/") ? endpoint : `${endpoint}/`);
  return `${base.toString()}?${query}`;
}

/** A Linux, regular-priority meter billed by the hour. */
function isLinuxOnDemand(item: RetailPrice): boolean {
  return (
    item.type === "Consumption" &&
    item.unitOfMeasure === "1 Hour" &&
    !/spot|low priority/i.test(`${item.skuName} ${item.meterName}`) &&
    !/windows/i.test(item.productName)
  );
}

export async function azureCatalog(options: AzurePriceOptions): Promise<ProviderCatalog> {
  const wanted = new Set(options.sizes.map((s) => s.size));
  const prices: VmPriceRow[] = [];
  await options.progress.step(
    `Reading Azure retail prices (${options.regions.length} regions)`,
    async (tick) => {
      for (const [i, { region, currency }] of options.regions.entries()) {
        const best = new Map<string, RetailPrice>();
        let next: string | null = azureRetailUrl(options.endpoint, region, currency);
        for (let pages = 0; next; pages++) {
          if (pages >= 1000) throw new CcoError(`Azure Retail Prices: more than 1000 pages for ${region}`);
          const page = await getJson(next);
          for (const item of page.Items ?? []) {
            if (!wanted.has(item.armSkuName) || !isLinuxOnDemand(item)) continue;
            const seen = best.get(item.armSkuName);
            if (!seen || rank(item) > rank(seen)) best.set(item.armSkuName, item);
          }
          next = page.NextPageLink ?? null;
        }
        for (const item of best.values()) {
          prices.push({
            provider: "azure",
            size: item.armSkuName,
            region,
            currency: item.currencyCode || currency,
            on_demand_hourly: item.retailPrice,
            price_source: AZURE_PRICE_SOURCE,
            retrieved_on: options.today,
          });
        }
        tick(i + 1, options.regions.length);
      }
    },
  );
  return { sizes: [], prices };
}

/** Among meters of one size: the region's primary meter, then the latest effective price. */
function rank(item: RetailPrice): string {
  return `${item.isPrimaryMeterRegion === false ? 0 : 1}${item.effectiveStartDate ?? ""}`;
}

async function getJson(url: string): Promise<{ Items?: RetailPrice[]; NextPageLink?: string | null }> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: "application/json" } });
  } catch (error) {
    throw new CcoError(`Azure Retail Prices: ${url}: ${(error as Error).message}`, { cause: error });
  }
  if (!response.ok) {
    const body = (await response.text()).slice(0, 300);
    throw new CcoError(`Azure Retail Prices: ${url}: HTTP ${response.status} ${body}`);
  }
  return (await response.json()) as { Items?: RetailPrice[]; NextPageLink?: string | null };
}
