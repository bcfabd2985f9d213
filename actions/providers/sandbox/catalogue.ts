/**
 * The sizes and list prices the sandbox accepts, copied from the warehouse's catalogue marts
 * (marts.catalog_vm_sizes, catalog_vm_prices, catalog_storage_prices) when the state is made,
 * so a resize is checked and priced without the warehouse open.
 */
export interface Catalogue {
  /** "<provider>|<size>" -> shape. */
  vmSizes: Record<string, { vcpu: number; memoryGib: number }>;
  /** "<provider>|<region>|<currency>|<size>" -> hourly list price (decimal string). */
  vmPrices: Record<string, string>;
  /** "<provider>|<region>|<currency>|<disk type, snapshot or ip>" -> price per GB-month or hour. */
  storagePrices: Record<string, string>;
}

export const catalogueKey = (provider: string, region: string, currency: string, item: string) =>
  `${provider}|${region}|${currency}|${item}`;
