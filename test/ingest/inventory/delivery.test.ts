/**
 * Inventory snapshots in the ledger: a snapshot restates its scope's snapshot of the same month
 * (provider, account, source, and the region for EC2), never another region's or another
 * account's, and an earlier month's last snapshot stays as history. Files in the layout load as
 * CSV or Parquet, are recognised by their columns, and one without a required column is refused.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { lit } from "../../../core/sql.ts";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";
import type { InventoryRow } from "../../../ingest/inventory/layout.ts";
import { writeInventorySnapshot } from "../../../ingest/inventory/write.ts";
import { ingestPaths } from "../../../ingest/load.ts";
import { quiet, tempDir } from "../../helpers/tmp.ts";

const ec2 = (region: string, at: string, ids: string[], account = "111111111111") => {
  const dir = path.join(tempDir(), account, region);
  const rows: InventoryRow[] = ids.map((id) => ({
    provider: "aws",
    account_id: account,
    region,
    resource_id: id,
    resource_type: "volume",
    state: "available",
    source: "ec2",
    scope: region,
  }));
  return writeInventorySnapshot(dir, "ec2", at, rows);
};

const current = async (w: Warehouse) =>
  (await w.all<{ id: string }>("select resource_id as id from raw.inventory_resources order by 1")).map(
    (r) => r.id,
  );

describe("inventory snapshots", () => {
  it("restate their own scope and month only", async () => {
    const w = await Warehouse.open({ path: ":memory:" });
    const lakeDir = tempDir();
    const load = async (dir: string) => (await ingestPaths(w, [dir], { lakeDir }, quiet))[0]!;
    expect(await load(ec2("us-east-1", "2026-09-30T06:00:00Z", ["vol-sept"]))).toMatchObject({
      format: "inventory_resources",
      status: "loaded",
      billingPeriods: ["2026-09"],
    });
    await load(ec2("us-east-1", "2026-10-30T06:00:00Z", ["vol-a", "vol-b"]));
    await load(ec2("eu-west-1", "2026-10-30T06:00:00Z", ["vol-eu"]));
    await load(ec2("us-east-1", "2026-10-30T06:00:00Z", ["vol-other-account"], "222222222222"));
    expect(await current(w)).toEqual(["vol-a", "vol-b", "vol-eu", "vol-other-account", "vol-sept"]);
    // A later read of us-east-1 in the same month replaces that region's October snapshot alone.
    expect(await load(ec2("us-east-1", "2026-10-31T06:00:00Z", ["vol-b"]))).toMatchObject({
      status: "replaced",
    });
    expect(await current(w)).toEqual(["vol-b", "vol-eu", "vol-other-account", "vol-sept"]);
    await w.close();
  });

  it("load from Parquet too, and a file without a required column is refused naming it", async () => {
    const dir = tempDir();
    const parquet = path.join(dir, "inventory.parquet");
    const instance = await DuckDBInstance.create(":memory:");
    const con = await instance.connect();
    await con.run(`COPY (SELECT TIMESTAMPTZ '2026-10-31 06:00:00+00' AS snapshot_time, 'gcp' AS provider,
        'acme' AS account_id, '//compute.googleapis.com/projects/1/zones/z/instances/7' AS resource_id,
        'virtual_machine' AS resource_type, 'running' AS state, 4.0 AS size_gb, '{"a":"b"}'::JSON AS tags)
      TO ${lit(parquet)} (FORMAT parquet)`);
    con.closeSync();
    instance.closeSync();
    const w = await Warehouse.open({ path: ":memory:" });
    const [result] = await ingestPaths(w, [parquet], { lakeDir: tempDir() }, quiet);
    expect(result).toMatchObject({
      format: "inventory_resources",
      status: "loaded",
      rows: 1,
      billingPeriods: ["2026-10"],
    });
    // Declared columns a file lacks read as NULL (attached_to, scope, …).
    const [row] = await w.all<Record<string, unknown>>(
      "select attached_to, scope, source, _billing_account from raw.inventory_resources",
    );
    expect(row).toEqual({ attached_to: null, scope: null, source: null, _billing_account: "gcp:acme:file" });

    const csv = path.join(dir, "no-account.csv");
    writeFileSync(
      csv,
      "snapshot_time,provider,resource_id,resource_type\n2026-10-31T06:00:00Z,aws,vol-1,volume\n",
    );
    await expect(ingestPaths(w, [csv], { lakeDir: tempDir() }, quiet)).rejects.toThrow(
      /missing required column for inventory_resources: account_id/,
    );
    await w.close();
  });
});
