/**
 * Resource inventory snapshots in the documented layout (docs/ingest.md "Inventory files"):
 * what a provider's API says exists now (state, attachment, size, creation, source), one row
 * per resource per snapshot, from files or written by the inventory API sources.
 *
 * Delivery: a snapshot restates the previous one of its scope. The ledger restates by
 * (billing account, billing period), so a row's "billing account" is its scope,
 * provider:account_id:source[:scope] (scope: what one read covers inside the account, e.g. the
 * region for EC2, which is read one region at a time), and its "period" is the snapshot's month.
 * A newer snapshot of the same scope in the same month replaces the older; the last snapshot
 * of each earlier month stays, as history. Staging reads each scope's latest snapshot only.
 */
import { lit } from "../../core/sql.ts";
import { col, hasColumns, parseTimestamp, readCsvText, type SourceFormat } from "../format.ts";

export const inventoryResources: SourceFormat = {
  id: "inventory_resources",
  delivery: () => "restatement",
  provider: "inventory",
  description:
    "Resource inventory snapshots (CSV or Parquet): snapshot_time, provider, account_id, resource_id, resource_type, state, attached_to, size, created_at, source_id, tags",
  rawTable: "inventory_resources",
  detect: (p) =>
    (p.kind === "csv" || p.kind === "parquet") &&
    hasColumns(p, ["snapshot_time", "resource_id", "resource_type"]),
  read: (p) =>
    p.kind === "parquet"
      ? `SELECT * FROM read_parquet(${lit(p.readPath)}, hive_partitioning = false)`
      : readCsvText(p),
  requiredColumns: ["snapshot_time", "provider", "account_id", "resource_id", "resource_type"],
  billingAccount: (p) =>
    `lower(trim(provider)) || ':' || coalesce(account_id::VARCHAR, '') || ':' || coalesce(nullif(trim(${col(p, "source")}::VARCHAR), ''), 'file')
      || coalesce(':' || nullif(trim(${col(p, "scope")}::VARCHAR), ''), '')`,
  billingPeriod: () => `strftime(${parseTimestamp("snapshot_time")}, '%Y-%m')`,
  cost: () => null,
  currency: () => null,
  numericColumns: ["size_gb"],
  dateColumns: ["snapshot_time", "created_at"],
};
