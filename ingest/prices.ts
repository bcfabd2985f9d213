/**
 * The price catalogue the recommendations read: dbt seeds (seeds/catalog_*.csv) of VM sizes and
 * their on-demand list prices per region. `cco catalog refresh` rebuilds the rows of the
 * providers it refreshes from their price APIs (ingest/<provider>/prices.ts) and keeps the
 * others', then rewrites each file atomically in one canonical order, so that a refresh's diff
 * shows only what changed.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { csvLine } from "../core/csv.ts";
import { writeFileAtomic } from "../core/files.ts";

export type CatalogProvider = "aws" | "azure" | "gcp" | "oci";

export interface VmSizeRow {
  provider: CatalogProvider;
  size: string;
  family: string;
  /** The generation within the provider's naming (m6i: 6, Standard_D4s_v5: 5, n2: 2, E4.Flex: 4). */
  generation: number;
  previous_generation: boolean;
  /** For a previous-generation size: the current-generation size of the same shape. */
  successor_size: string | null;
  vcpu: number;
  memory_gib: number;
  architecture: "x86_64" | "arm64";
  burstable: boolean;
}

export interface VmPriceRow {
  provider: CatalogProvider;
  size: string;
  region: string;
  currency: string;
  /** Linux, shared tenancy, on demand. */
  on_demand_hourly: number;
  price_source: string;
  /** The day the price API was read (empty for rows not read from an API). */
  retrieved_on: string | null;
}

export const SIZE_COLUMNS = [
  "provider",
  "size",
  "family",
  "generation",
  "previous_generation",
  "successor_size",
  "vcpu",
  "memory_gib",
  "architecture",
  "burstable",
] as const satisfies readonly (keyof VmSizeRow)[];

export const PRICE_COLUMNS = [
  "provider",
  "size",
  "region",
  "currency",
  "on_demand_hourly",
  "price_source",
  "retrieved_on",
] as const satisfies readonly (keyof VmPriceRow)[];

export const SIZES_FILE = "catalog_vm_sizes.csv";
export const PRICES_FILE = "catalog_vm_prices.csv";

/** What a provider's price client returns for the regions asked. */
export interface ProviderCatalog {
  /** Sizes it could describe (from the API, or from the size's name). */
  sizes: VmSizeRow[];
  prices: VmPriceRow[];
}

/** A CSV file with a header as an array of records (quoted fields, "" inside quotes). */
export function readCsv(file: string): Record<string, string>[] {
  const text = readFileSync(file, "utf8");
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field || row.length) rows.push([...row, field]);
  const [header, ...body] = rows.filter((r) => r.length > 1 || r[0] !== "");
  if (!header) return [];
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ""])));
}

export function readSizes(seedsDir: string): VmSizeRow[] {
  return readCsv(path.join(seedsDir, SIZES_FILE)).map((r) => ({
    provider: r.provider as CatalogProvider,
    size: r.size!,
    family: r.family!,
    generation: Number(r.generation),
    previous_generation: r.previous_generation === "true",
    successor_size: r.successor_size || null,
    vcpu: Number(r.vcpu),
    memory_gib: Number(r.memory_gib),
    architecture: r.architecture as VmSizeRow["architecture"],
    burstable: r.burstable === "true",
  }));
}

export function readPrices(seedsDir: string): VmPriceRow[] {
  return readCsv(path.join(seedsDir, PRICES_FILE)).map((r) => ({
    provider: r.provider as CatalogProvider,
    size: r.size!,
    region: r.region!,
    currency: r.currency!,
    on_demand_hourly: Number(r.on_demand_hourly),
    price_source: r.price_source!,
    retrieved_on: r.retrieved_on || null,
  }));
}

const PROVIDER_ORDER: CatalogProvider[] = ["aws", "azure", "gcp", "oci"];

/** Sizes by provider, family, vCPU, memory and name: a family's sizes small to large. */
export function sortSizes(rows: VmSizeRow[]): VmSizeRow[] {
  return [...rows].sort(
    (a, b) =>
      PROVIDER_ORDER.indexOf(a.provider) - PROVIDER_ORDER.indexOf(b.provider) ||
      a.family.localeCompare(b.family) ||
      a.vcpu - b.vcpu ||
      a.memory_gib - b.memory_gib ||
      a.size.localeCompare(b.size),
  );
}

/** Prices by provider, region and currency, then in the sizes' order. */
export function sortPrices(rows: VmPriceRow[], sizes: VmSizeRow[]): VmPriceRow[] {
  const rank = new Map(sortSizes(sizes).map((s, i) => [`${s.provider}/${s.size}`, i]));
  const at = (r: VmPriceRow) => rank.get(`${r.provider}/${r.size}`) ?? Number.MAX_SAFE_INTEGER;
  return [...rows].sort(
    (a, b) =>
      PROVIDER_ORDER.indexOf(a.provider) - PROVIDER_ORDER.indexOf(b.provider) ||
      a.region.localeCompare(b.region) ||
      a.currency.localeCompare(b.currency) ||
      at(a) - at(b) ||
      a.size.localeCompare(b.size),
  );
}

/** A price as the seeds write it: at most six decimals, no trailing zeros. */
export const money = (n: number) => String(Number(n.toFixed(6)));

function toCsv<R>(columns: readonly (keyof R & string)[], rows: R[]): string {
  const cell = (v: unknown) => (typeof v === "number" ? money(v) : v);
  return `${[columns.join(","), ...rows.map((r) => csvLine(columns.map((c) => cell(r[c]))))].join("\n")}\n`;
}

export function writeSizes(seedsDir: string, rows: VmSizeRow[]): void {
  writeFileAtomic(path.join(seedsDir, SIZES_FILE), toCsv(SIZE_COLUMNS, sortSizes(rows)));
}

export function writePrices(seedsDir: string, rows: VmPriceRow[], sizes: VmSizeRow[]): void {
  writeFileAtomic(path.join(seedsDir, PRICES_FILE), toCsv(PRICE_COLUMNS, sortPrices(rows, sizes)));
}

export interface PriceChange {
  provider: CatalogProvider;
  size: string;
  region: string;
  currency: string;
  /** Undefined for a new row. */
  before?: number;
  /** Undefined for a row the refresh no longer found. */
  after?: number;
}

export interface MergeResult {
  sizes: VmSizeRow[];
  prices: VmPriceRow[];
  changes: PriceChange[];
  /** provider/size of each size the refresh added or whose shape or processor it changed. */
  sizesChanged: string[];
}

/** What one provider's refresh covers: its prices in these regions, each in its currency. */
export interface RefreshScope {
  provider: CatalogProvider;
  regions: { region: string; currency: string }[];
}

/**
 * The catalogue after a refresh: the provider's prices in the refreshed regions and currencies
 * are the API's (a size the API no longer prices there is dropped), every other row is kept.
 * For a size the API described, its shape and processor are the API's; its family, generation
 * and successor stay as the seed curates them. A size new to the seed is added whole.
 */
export function mergeCatalog(
  current: { sizes: VmSizeRow[]; prices: VmPriceRow[] },
  refreshed: ProviderCatalog,
  scope: RefreshScope,
): MergeResult {
  const key = (r: { provider: string; size: string; region: string; currency: string }) =>
    `${r.provider}/${r.size}/${r.region}/${r.currency}`;
  const covered = new Set(scope.regions.map((r) => `${r.region}/${r.currency}`));
  const inScope = (r: VmPriceRow) =>
    r.provider === scope.provider && covered.has(`${r.region}/${r.currency}`);
  const before = new Map(current.prices.filter(inScope).map((r) => [key(r), r]));
  const after = new Map(refreshed.prices.map((r) => [key(r), r]));
  const changes: PriceChange[] = [];
  for (const [k, r] of after) {
    const was = before.get(k);
    if (!was || money(was.on_demand_hourly) !== money(r.on_demand_hourly)) {
      changes.push({ ...pick(r), before: was?.on_demand_hourly, after: r.on_demand_hourly });
    }
  }
  for (const [k, r] of before) if (!after.has(k)) changes.push({ ...pick(r), before: r.on_demand_hourly });
  const order = (c: PriceChange) => `${c.region}/${c.currency}/${c.size}`;
  changes.sort((a, b) => order(a).localeCompare(order(b)));
  const sizes = new Map(current.sizes.map((s) => [`${s.provider}/${s.size}`, s]));
  const sizesChanged: string[] = [];
  for (const s of refreshed.sizes) {
    const k = `${s.provider}/${s.size}`;
    const was = sizes.get(k);
    const { vcpu, memory_gib, architecture, burstable } = s;
    const now = was ? { ...was, vcpu, memory_gib, architecture, burstable } : s;
    if (JSON.stringify(now) !== JSON.stringify(was)) sizesChanged.push(k);
    sizes.set(k, now);
  }
  return {
    sizes: sortSizes([...sizes.values()]),
    prices: [...current.prices.filter((r) => !inScope(r)), ...after.values()],
    changes,
    sizesChanged,
  };
}

function pick(r: VmPriceRow) {
  return { provider: r.provider, size: r.size, region: r.region, currency: r.currency };
}
