/**
 * Local servers replaying the three price APIs `cco catalog refresh` reads, in their documented
 * response shapes: the AWS Price List Query API (AWS JSON 1.1, AWSPriceListService.GetProducts,
 * PriceList items as JSON strings), the Azure Retail Prices API (Items and NextPageLink, over
 * HTTPS: set NODE_TLS_REJECT_UNAUTHORIZED=0) and the Cloud Billing Catalog API
 * (services.skus.list over REST: skus and nextPageToken). Each pages its answer in two so that
 * a client that does not follow the pagination misses rows.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type AwsJsonStub, startAwsJsonStub } from "./aws-json-stub.ts";
import { type HttpsJsonStub, startHttpsJsonStub } from "./https-json-stub.ts";

// ---------- AWS ----------

export const AWS_LOCATIONS: Record<string, string> = {
  "us-east-1": "US East (N. Virginia)",
  "eu-west-1": "EU (Ireland)",
};

export interface AwsProduct {
  instanceType: string;
  region: string;
  usd: string;
  vcpu: string;
  memory: string;
  physicalProcessor: string;
  usagetype?: string;
  operation?: string;
}

/** A GetProducts PriceList entry as the API returns it: a JSON string of product and terms. */
export function priceListItem(p: AwsProduct): string {
  const sku = `${p.instanceType}-${p.region}-${p.operation ?? "RunInstances"}`.toUpperCase();
  return JSON.stringify({
    product: {
      productFamily: "Compute Instance",
      attributes: {
        servicecode: "AmazonEC2",
        instanceType: p.instanceType,
        location: AWS_LOCATIONS[p.region],
        regionCode: p.region,
        vcpu: p.vcpu,
        memory: p.memory,
        physicalProcessor: p.physicalProcessor,
        processorArchitecture: "64-bit",
        currentGeneration: "Yes",
        operatingSystem: "Linux",
        tenancy: "Shared",
        preInstalledSw: "NA",
        capacitystatus: "Used",
        licenseModel: "No License required",
        usagetype: p.usagetype ?? `${p.region === "us-east-1" ? "" : "EU-"}BoxUsage:${p.instanceType}`,
        operation: p.operation ?? "RunInstances",
      },
      sku,
    },
    serviceCode: "AmazonEC2",
    terms: {
      OnDemand: {
        [`${sku}.JRTCKXETXF`]: {
          offerTermCode: "JRTCKXETXF",
          sku,
          effectiveDate: "2026-11-01T00:00:00Z",
          priceDimensions: {
            [`${sku}.JRTCKXETXF.6YS6EN2CT7`]: {
              rateCode: `${sku}.JRTCKXETXF.6YS6EN2CT7`,
              description: `$${p.usd} per On Demand Linux ${p.instanceType} Instance Hour`,
              unit: "Hrs",
              pricePerUnit: { USD: p.usd },
              appliesTo: [],
              beginRange: "0",
              endRange: "Inf",
            },
          },
          termAttributes: {},
        },
      },
      Reserved: {},
    },
    version: "20261101000000",
    publicationDate: "2026-11-01T00:00:00Z",
  });
}

/**
 * GetProducts over `products`: the ones matching the request's instanceType and location. The
 * answer comes on two pages: a dedicated-host product of the same type first (which a client
 * must not take for the instance's price), then the instance.
 */
export function startAwsPricing(products: AwsProduct[]): Promise<AwsJsonStub> {
  return startAwsJsonStub({
    GetProducts: (body) => {
      const filters = body.Filters as { Field: string; Value: string }[];
      const value = (field: string) => filters.find((f) => f.Field === field)?.Value;
      const found = products.find(
        (p) => p.instanceType === value("instanceType") && AWS_LOCATIONS[p.region] === value("location"),
      );
      if (!found) return { FormatVersion: "aws_v1", PriceList: [] };
      if (!body.NextToken) {
        const dedicated = {
          ...found,
          usd: "9.99",
          usagetype: `DedicatedUsage:${found.instanceType}`,
          operation: "RunInstances:0002",
        };
        return { FormatVersion: "aws_v1", NextToken: "page-2", PriceList: [priceListItem(dedicated)] };
      }
      return { FormatVersion: "aws_v1", PriceList: [priceListItem(found)] };
    },
  });
}

// ---------- Azure ----------

export interface AzureMeter {
  armSkuName: string;
  region: string;
  currency: string;
  price: number;
  /** Linux (default), or a meter the client must skip. */
  kind?: "linux" | "windows" | "spot" | "low priority";
}

/** One item of the Retail Prices API's Items array. */
export function azureItem(m: AzureMeter) {
  const short = m.armSkuName.replace(/^Standard_/, "").replace(/_/g, " ");
  const series = short.replace(/\d+/, "").replace(" ", ""); // D2s v5: Dsv5
  const suffix = m.kind === "spot" ? " Spot" : m.kind === "low priority" ? " Low Priority" : "";
  return {
    currencyCode: m.currency,
    tierMinimumUnits: 0,
    retailPrice: m.price,
    unitPrice: m.price,
    armRegionName: m.region,
    location: m.region === "westeurope" ? "EU West" : m.region,
    effectiveStartDate: "2026-11-01T00:00:00Z",
    meterId: `${m.armSkuName}-${m.kind ?? "linux"}`,
    meterName: `${short}${suffix}`,
    productId: "DZH318Z0BQ4L",
    skuId: "DZH318Z0BQ4L/00CK",
    productName: `Virtual Machines ${series} Series${m.kind === "windows" ? " Windows" : ""}`,
    skuName: `${short}${suffix}`,
    serviceName: "Virtual Machines",
    serviceId: "DZH313Z7MMC8",
    serviceFamily: "Compute",
    unitOfMeasure: "1 Hour",
    type: "Consumption",
    isPrimaryMeterRegion: true,
    armSkuName: m.armSkuName,
  };
}

/** GET /api/retail/prices: the meters of the $filter's region in the asked currency, on two pages. */
export function startAzureRetail(dir: string, meters: AzureMeter[]): Promise<HttpsJsonStub> {
  let base = "";
  const stub = startHttpsJsonStub(dir, [
    {
      method: "GET",
      path: /^\/api\/retail\/prices$/,
      reply: (_body, url) => {
        const region = /armRegionName eq '([^']+)'/.exec(url.searchParams.get("$filter") ?? "")?.[1];
        const currency = url.searchParams.get("currencyCode") ?? "USD";
        const items = meters.filter((m) => m.region === region && m.currency === currency).map(azureItem);
        const skip = Number(url.searchParams.get("$skip") ?? 0);
        const half = Math.ceil(items.length / 2);
        const page = skip ? items.slice(half) : items.slice(0, half);
        const next = new URL(url.pathname + url.search, base);
        next.searchParams.set("$skip", String(half));
        return {
          BillingCurrency: currency,
          CustomerEntityId: "Default",
          CustomerEntityType: "Retail",
          Items: page,
          NextPageLink: skip ? null : next.toString(),
          Count: page.length,
        };
      },
    },
  ]);
  return stub.then((s) => {
    base = s.url;
    return s;
  });
}

// ---------- GCP ----------

export interface GcpSku {
  description: string;
  regions: string[];
  /** USD per hour (core) or per GiB-hour (RAM). */
  price: number;
  usageType?: "OnDemand" | "Preemptible" | "Commit1Yr";
}

/** A Cloud Billing Catalog SKU in its REST shape. */
export function gcpSku(s: GcpSku, i: number) {
  const ram = / Ram /.test(s.description);
  const units = Math.floor(s.price);
  return {
    name: `services/6F81-5844-456A/skus/0000-0000-${String(i).padStart(4, "0")}`,
    skuId: `0000-0000-${String(i).padStart(4, "0")}`,
    description: s.description,
    category: {
      serviceDisplayName: "Compute Engine",
      resourceFamily: "Compute",
      resourceGroup: ram ? "RAM" : "CPU",
      usageType: s.usageType ?? "OnDemand",
    },
    serviceRegions: s.regions,
    pricingInfo: [
      {
        summary: "",
        pricingExpression: {
          usageUnit: ram ? "GiBy.h" : "h",
          displayQuantity: 1,
          tieredRates: [
            {
              startUsageAmount: 0,
              unitPrice: {
                currencyCode: "USD",
                units: String(units),
                nanos: Math.round((s.price - units) * 1e9),
              },
            },
          ],
          usageUnitDescription: ram ? "gibibyte hour" : "hour",
          baseUnit: ram ? "By.s" : "s",
          baseUnitDescription: ram ? "byte second" : "second",
          baseUnitConversionFactor: ram ? 3865470566400 : 3600,
        },
        currencyConversionRate: 1,
        effectiveTime: "2026-11-01T00:00:00Z",
      },
    ],
    serviceProviderName: "Google",
    geoTaxonomy: { type: "REGIONAL", regions: s.regions },
  };
}

export interface GcpCatalogStub {
  url: string;
  requests: URL[];
  close(): Promise<void>;
}

/** GET /v1/services/6F81-5844-456A/skus: the SKUs on two pages (pageToken "page-2"). */
export async function startGcpCatalog(skus: GcpSku[]): Promise<GcpCatalogStub> {
  const requests: URL[] = [];
  const all = skus.map(gcpSku);
  const half = Math.ceil(all.length / 2);
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    requests.push(url);
    res.writeHead(url.pathname === "/v1/services/6F81-5844-456A/skus" ? 200 : 404, {
      "content-type": "application/json",
    });
    const second = url.searchParams.get("pageToken") === "page-2";
    res.end(
      JSON.stringify(
        url.pathname === "/v1/services/6F81-5844-456A/skus"
          ? { skus: second ? all.slice(half) : all.slice(0, half), nextPageToken: second ? "" : "page-2" }
          : { error: { code: 404, message: `stub: ${url.pathname}`, status: "NOT_FOUND" } },
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
