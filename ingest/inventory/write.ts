/** Inventory API sources write what they read as one CSV per snapshot month, in the inventory layout. */
import path from "node:path";
import { csvLine } from "../../core/csv.ts";
import { writeFileAtomic } from "../../core/files.ts";
import type { CsvRow } from "../remote/monthly-csv.ts";
import { writeMonthlyCsv } from "../remote/monthly-csv.ts";
import { INVENTORY_COLUMNS, type InventoryRow } from "./layout.ts";

/**
 * One snapshot read at `snapshotTime` (rows without a snapshot_time get it) into
 * <dir>/<source>-inventory-YYYY-MM.csv, replacing that month's earlier snapshot: the loader sees
 * new bytes for the same scope and month, and the newer snapshot restates the older one
 * (docs/ingest.md "Inventory files"). A read that found nothing writes the header alone.
 */
export function writeInventorySnapshot(
  dir: string,
  source: string,
  snapshotTime: string,
  rows: InventoryRow[],
): string {
  if (!rows.length) {
    writeFileAtomic(
      path.join(dir, `${source}-inventory-${snapshotTime.slice(0, 7)}.csv`),
      `${csvLine(INVENTORY_COLUMNS)}\n`,
    );
    return dir;
  }
  const sorted = [...rows].sort((a, b) =>
    `${a.resource_type}|${a.resource_id}`.localeCompare(`${b.resource_type}|${b.resource_id}`),
  );
  return writeMonthlyCsv(
    dir,
    `${source}-inventory`,
    INVENTORY_COLUMNS,
    sorted.map((r): CsvRow => ({ snapshot_time: snapshotTime, ...r, tags: r.tags ?? "{}" })),
    "snapshot_time",
  );
}

/** Tags as the layout's JSON object, from a provider's key/value list or map; keys sorted. */
export function tagsJson(
  tags: Record<string, string | undefined> | { Key?: string; Value?: string }[] | undefined | null,
): string {
  const entries = Array.isArray(tags)
    ? tags.filter((t) => t.Key !== undefined).map((t) => [t.Key!, t.Value ?? ""] as const)
    : Object.entries(tags ?? {}).map(([k, v]) => [k, v ?? ""] as const);
  return JSON.stringify(Object.fromEntries([...entries].sort(([a], [b]) => a.localeCompare(b))));
}

/** Now, to the second, as the layout's snapshot_time (ISO 8601 UTC). */
export function snapshotNow(): string {
  return `${new Date().toISOString().slice(0, 19)}Z`;
}
