/**
 * The inventory layout (docs/ingest.md "Inventory files"): one row per resource per snapshot,
 * what the generator, the inventory API sources (ec2inventory://, azureinventory://,
 * gcpinventory://) and users write.
 */
export const INVENTORY_COLUMNS = [
  "snapshot_time",
  "provider",
  "account_id",
  "region",
  "resource_id",
  "resource_type",
  "state",
  "attached_to",
  "size",
  "size_gb",
  "created_at",
  "source_id",
  "tags",
  "source",
  "scope",
] as const;

export type InventoryRow = Partial<Record<(typeof INVENTORY_COLUMNS)[number], string | number | undefined>>;

/** The warehouse's resource kinds, as marts.resources names them. */
export const RESOURCE_TYPES = ["virtual_machine", "volume", "snapshot", "public_ip", "bucket"] as const;
