/**
 * EC2 on-demand prices for the price catalogue (`cco catalog refresh`), from the AWS Price List
 * Query API: GetProducts on AmazonEC2, one query per instance type and region, filtered to
 * Linux, shared tenancy, no pre-installed software and capacity status Used (what an ordinary
 * running instance pays), paginated by NextToken. Each PriceList item is a JSON string: the
 * price is terms.OnDemand.<offer>.priceDimensions.<dimension>.pricePerUnit.USD per Hrs; the
 * product's attributes give the size's vCPU, memory and processor.
 * Credentials: the SDK's default chain. Endpoint: sources.pricing.aws_endpoint, else AWS's.
 */
import { CcoError } from "../../core/errors.ts";
import type { Progress } from "../../core/log.ts";
import type { ProviderCatalog, VmPriceRow, VmSizeRow } from "../prices.ts";

/** The Price List's `location` of each region (the API's filter value). */
const LOCATIONS: Record<string, string> = {
  "us-east-1": "US East (N. Virginia)",
  "us-east-2": "US East (Ohio)",
  "us-west-1": "US West (N. California)",
  "us-west-2": "US West (Oregon)",
  "ca-central-1": "Canada (Central)",
  "sa-east-1": "South America (Sao Paulo)",
  "eu-west-1": "EU (Ireland)",
  "eu-west-2": "EU (London)",
  "eu-west-3": "EU (Paris)",
  "eu-central-1": "EU (Frankfurt)",
  "eu-north-1": "EU (Stockholm)",
  "eu-south-1": "EU (Milan)",
  "ap-south-1": "Asia Pacific (Mumbai)",
  "ap-southeast-1": "Asia Pacific (Singapore)",
  "ap-southeast-2": "Asia Pacific (Sydney)",
  "ap-northeast-1": "Asia Pacific (Tokyo)",
  "ap-northeast-2": "Asia Pacific (Seoul)",
};

export const AWS_PRICE_SOURCE = "aws_price_list_api";

export interface AwsPriceOptions {
  /** The catalogue's AWS sizes: the instance types priced. */
  sizes: VmSizeRow[];
  regions: string[];
  endpoint?: string;
  /** The day written as retrieved_on (YYYY-MM-DD). */
  today: string;
  progress: Progress;
}

/** The filters of one GetProducts query: one instance type in one region, as an ordinary instance runs. */
export function awsFilters(instanceType: string, region: string) {
  const location = LOCATIONS[region];
  return [
    { Type: "TERM_MATCH" as const, Field: "instanceType", Value: instanceType },
    location
      ? { Type: "TERM_MATCH" as const, Field: "location", Value: location }
      : { Type: "TERM_MATCH" as const, Field: "regionCode", Value: region },
    { Type: "TERM_MATCH" as const, Field: "operatingSystem", Value: "Linux" },
    { Type: "TERM_MATCH" as const, Field: "tenancy", Value: "Shared" },
    { Type: "TERM_MATCH" as const, Field: "preInstalledSw", Value: "NA" },
    { Type: "TERM_MATCH" as const, Field: "capacitystatus", Value: "Used" },
  ];
}

export async function awsCatalog(options: AwsPriceOptions): Promise<ProviderCatalog> {
  const { PricingClient, GetProductsCommand } = await import("@aws-sdk/client-pricing");
  // The Price List API answers in us-east-1 (and two other regions), whatever region is priced.
  const client = new PricingClient({ region: "us-east-1", endpoint: options.endpoint });
  const jobs = options.regions.flatMap((region) => options.sizes.map((size) => ({ region, size })));
  const prices: VmPriceRow[] = [];
  const described = new Map<string, VmSizeRow>();
  try {
    await options.progress.step(`Reading AWS Price List (${jobs.length} queries)`, async (tick) => {
      let done = 0;
      await inParallel(jobs, 4, async ({ region, size }) => {
        const items: PriceListItem[] = [];
        let token: string | undefined;
        do {
          const page = await client.send(
            new GetProductsCommand({
              ServiceCode: "AmazonEC2",
              Filters: awsFilters(size.size, region),
              FormatVersion: "aws_v1",
              MaxResults: 100,
              NextToken: token,
            }),
          );
          for (const item of (page.PriceList ?? []) as unknown[]) items.push(parseItem(item));
          token = page.NextToken;
        } while (token);
        const found = pick(items);
        tick(++done, jobs.length);
        if (!found) return;
        prices.push({
          provider: "aws",
          size: size.size,
          region,
          currency: "USD",
          on_demand_hourly: found.hourly,
          price_source: AWS_PRICE_SOURCE,
          retrieved_on: options.today,
        });
        described.set(size.size, describe(size, found.item.product.attributes));
      });
    });
  } catch (error) {
    if (error instanceof CcoError) throw error;
    throw new CcoError(`AWS Price List: ${(error as Error).message}`, { cause: error });
  } finally {
    client.destroy();
  }
  return { sizes: [...described.values()], prices };
}

interface PriceListItem {
  product: { attributes: Record<string, string> };
  terms?: {
    OnDemand?: Record<
      string,
      { priceDimensions?: Record<string, { unit?: string; pricePerUnit?: Record<string, string> }> }
    >;
  };
}

function parseItem(item: unknown): PriceListItem {
  // The SDK hands PriceList entries over as JSON strings (or String objects).
  const parsed = typeof item === "string" || item instanceof String ? JSON.parse(String(item)) : item;
  return parsed as PriceListItem;
}

/** The ordinary instance's product (RunInstances, BoxUsage) and its hourly on-demand USD price. */
function pick(items: PriceListItem[]): { item: PriceListItem; hourly: number } | undefined {
  const priced = items.flatMap((item) => {
    const dimensions = Object.values(item.terms?.OnDemand ?? {}).flatMap((o) =>
      Object.values(o.priceDimensions ?? {}),
    );
    const hourly = dimensions.find((d) => d.unit === "Hrs" && d.pricePerUnit?.USD !== undefined);
    const price = Number(hourly?.pricePerUnit?.USD);
    return hourly && Number.isFinite(price) && price > 0 ? [{ item, hourly: price }] : [];
  });
  const ordinary = (p: { item: PriceListItem }) => {
    const a = p.item.product.attributes;
    return (a.operation ?? "RunInstances") === "RunInstances" && /BoxUsage/.test(a.usagetype ?? "BoxUsage");
  };
  return priced.find(ordinary) ?? priced[0];
}

/** The size as the API describes it: vCPU, memory and processor from the product's attributes. */
function describe(seed: VmSizeRow, a: Record<string, string>): VmSizeRow {
  const family = seed.family || seed.size.split(".")[0]!;
  const memory = Number(
    String(a.memory ?? "")
      .replace(/,/g, "")
      .replace(/\s*GiB$/i, ""),
  );
  const arm = /arm|graviton/i.test(`${a.processorArchitecture ?? ""} ${a.physicalProcessor ?? ""}`);
  return {
    ...seed,
    family,
    generation: seed.generation || Number(family.match(/^[a-z]+(\d+)/)?.[1] ?? 0),
    previous_generation: seed.previous_generation || a.currentGeneration === "No",
    vcpu: Number(a.vcpu) || seed.vcpu,
    memory_gib: Number.isFinite(memory) && memory > 0 ? memory : seed.memory_gib,
    architecture: arm ? "arm64" : "x86_64",
    burstable: /^t\d/.test(seed.size),
  };
}

/** Run `work` over `items`, at most `limit` at once; the first failure stops the rest. */
export async function inParallel<T>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
