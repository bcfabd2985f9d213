/**
 * `cco catalog refresh`: the price catalogue's seeds (seeds/catalog_vm_sizes.csv and
 * catalog_vm_prices.csv) rebuilt from the providers' price APIs: AWS Price List, Azure Retail
 * Prices, GCP Cloud Billing Catalog (ingest/<provider>/prices.ts). Every provider is read before
 * anything is written; each file is then replaced atomically, keeping the rows of the providers,
 * regions and currencies not refreshed.
 */
import path from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import type { Config } from "../../../core/config.ts";
import type { Progress } from "../../../core/log.ts";
import { PROJECT_ROOT } from "../../../core/paths.ts";
import type { MergeResult, PriceChange, RefreshScope, VmSizeRow } from "../../../ingest/prices.ts";
import { context, print } from "../context.ts";

const REFRESHABLE = ["aws", "azure", "gcp"] as const;
type Refreshable = (typeof REFRESHABLE)[number];

export interface RefreshOptions {
  providers: Refreshable[];
  /** Regions to price (one provider only); default: the provider's regions in the seeds. */
  regions?: string[];
  /** Azure: the currency of a region not yet in the seeds (default USD). */
  currency?: string;
  seedsDir: string;
  config: Config;
  progress: Progress;
  /** The day written as retrieved_on. */
  today: string;
}

export interface RefreshResult {
  seedsDir: string;
  scopes: (RefreshScope & { prices: number })[];
  changes: PriceChange[];
  sizesChanged: string[];
}

export async function refreshCatalog(options: RefreshOptions): Promise<RefreshResult> {
  const { UsageError, CcoError } = await import("../../../core/errors.ts");
  const prices = await import("../../../ingest/prices.ts");
  if (options.regions?.length && options.providers.length !== 1) {
    throw new UsageError("--region needs --provider (regions are named by each provider)");
  }
  let current = { sizes: prices.readSizes(options.seedsDir), prices: prices.readPrices(options.seedsDir) };
  const fetched: { scope: RefreshScope; catalog: Awaited<ReturnType<typeof fetchProvider>> }[] = [];
  for (const provider of options.providers) {
    const scope = scopeOf(provider, current.prices, options);
    if (!scope.regions.length) throw new UsageError(`no ${provider} regions in the seeds: pass --region`);
    const sizes = current.sizes.filter((s) => s.provider === provider);
    const catalog = await fetchProvider(provider, sizes, scope, options);
    for (const { region, currency } of scope.regions) {
      if (!catalog.prices.some((p) => p.region === region && p.currency === currency)) {
        throw new CcoError(
          `${provider}: the price API returned no price for ${region} (${currency}) of the ${sizes.length} catalogue sizes; nothing was written`,
        );
      }
    }
    fetched.push({ scope, catalog });
  }
  const changes: PriceChange[] = [];
  const sizesChanged: string[] = [];
  for (const { scope, catalog } of fetched) {
    const merged: MergeResult = prices.mergeCatalog(current, catalog, scope);
    current = { sizes: merged.sizes, prices: merged.prices };
    changes.push(...merged.changes);
    sizesChanged.push(...merged.sizesChanged);
  }
  prices.writeSizes(options.seedsDir, current.sizes);
  prices.writePrices(options.seedsDir, current.prices, current.sizes);
  return {
    seedsDir: options.seedsDir,
    scopes: fetched.map(({ scope, catalog }) => ({ ...scope, prices: catalog.prices.length })),
    changes,
    sizesChanged,
  };
}

/** The regions (with their currencies) a provider's refresh covers. */
function scopeOf(
  provider: Refreshable,
  seeded: { provider: string; region: string; currency: string }[],
  options: RefreshOptions,
): RefreshScope {
  const mine = seeded.filter((p) => p.provider === provider);
  const regions = options.regions?.length ? options.regions : [...new Set(mine.map((p) => p.region))];
  return {
    provider,
    regions: regions.flatMap((region) => {
      if (provider !== "azure") return [{ region, currency: "USD" }];
      const currencies = [...new Set(mine.filter((p) => p.region === region).map((p) => p.currency))];
      const wanted = options.currency ? [options.currency] : currencies.length ? currencies : ["USD"];
      return wanted.map((currency) => ({ region, currency }));
    }),
  };
}

async function fetchProvider(
  provider: Refreshable,
  sizes: VmSizeRow[],
  scope: RefreshScope,
  options: RefreshOptions,
) {
  const { today, progress } = options;
  const endpoints = options.config.sources.pricing;
  const regions = [...new Set(scope.regions.map((r) => r.region))];
  if (provider === "aws") {
    const { awsCatalog } = await import("../../../ingest/aws/prices.ts");
    return awsCatalog({ sizes, regions, endpoint: endpoints.awsEndpoint, today, progress });
  }
  if (provider === "azure") {
    const { azureCatalog } = await import("../../../ingest/azure/prices.ts");
    return azureCatalog({
      sizes,
      regions: scope.regions,
      endpoint: endpoints.azureRetailEndpoint,
      today,
      progress,
    });
  }
  const { gcpCatalog } = await import("../../../ingest/gcp/prices.ts");
  return gcpCatalog({ sizes, regions, endpoint: endpoints.gcpBillingEndpoint, today, progress });
}

function provider(value: string): Refreshable {
  if (!(REFRESHABLE as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(
      `expected one of ${REFRESHABLE.join(", ")} (OCI's rows are edited by hand)`,
    );
  }
  return value as Refreshable;
}

function currency(value: string): string {
  if (!/^[A-Z]{3}$/.test(value)) throw new InvalidArgumentError("expected a currency code such as EUR");
  return value;
}

function describeChange(c: PriceChange): string {
  const what = `${c.provider} ${c.region} ${c.size}`.padEnd(48);
  if (c.before === undefined) return `  + ${what} ${c.after} ${c.currency}`;
  if (c.after === undefined) return `  - ${what} ${c.before} ${c.currency} (no longer priced)`;
  return `  ~ ${what} ${c.before} -> ${c.after} ${c.currency}`;
}

export function register(program: Command): void {
  const catalog = program
    .command("catalog")
    .description("The price catalogue (dbt seeds in seeds/): VM sizes and their list prices");
  catalog
    .command("refresh")
    .description("Rebuild the catalogue's VM prices from the AWS, Azure and GCP price APIs")
    .option("--provider <provider>", "aws, azure or gcp (default: all three)", provider)
    .option("--region <region...>", "regions to price (with --provider; default: its regions in the seeds)")
    .option(
      "--currency <code>",
      "Azure: the currency to read prices in (default: the seeds', else USD)",
      currency,
    )
    .option("--seeds-dir <dir>", "the seed CSVs' folder (default: the project's seeds/)")
    .action(async (opts, cmd: Command) => {
      const { config, progress, json } = await context(cmd);
      const result = await refreshCatalog({
        providers: opts.provider ? [opts.provider] : [...REFRESHABLE],
        regions: opts.region,
        currency: opts.currency,
        seedsDir: path.resolve(opts.seedsDir ?? path.join(PROJECT_ROOT, "seeds")),
        config,
        progress,
        today: new Date().toISOString().slice(0, 10),
      });
      const lines = [
        ...result.scopes.map(
          (s) =>
            `${s.provider}: ${s.prices} prices in ${s.regions.map((r) => `${r.region} (${r.currency})`).join(", ")}`,
        ),
        result.changes.length ? `${result.changes.length} prices changed:` : "No price changed.",
        ...result.changes.map(describeChange),
        ...(result.sizesChanged.length ? [`Sizes updated: ${result.sizesChanged.join(", ")}`] : []),
        `Seeds written in ${result.seedsDir}; \`cco models seed\` (or the next build) loads them.`,
      ];
      print(
        json,
        {
          seeds_dir: result.seedsDir,
          refreshed: result.scopes,
          changes: result.changes,
          sizes_changed: result.sizesChanged,
        },
        lines.join("\n"),
      );
    });
}
