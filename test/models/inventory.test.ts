/**
 * marts.resources with an inventory loaded: a hand-built CUR and GCP export beside two inventory
 * snapshots of one AWS account (the newer restates the older) and a GCP one. An unattached volume,
 * a stopped VM whose billing ended, a snapshot with its source volume, an unassociated address and
 * a VM not billed yet land with what the latest snapshot says; a volume the latest snapshot no
 * longer lists is in no inventory; ids spelled two ways (a snapshot's ARN and id, a Compute Engine
 * name by project number and by project id) are one resource.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig, modelVars } from "../../core/config.ts";
import { buildProject } from "../../core/dbt/runner.ts";
import { Warehouse } from "../../core/warehouse/warehouse.ts";
import { INVENTORY_COLUMNS, type InventoryRow } from "../../ingest/inventory/layout.ts";
import { writeInventorySnapshot } from "../../ingest/inventory/write.ts";
import { ingestPaths } from "../../ingest/load.ts";
import { quiet, tempDir } from "../helpers/tmp.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const SNAP_ARN = "arn:aws:ec2:us-east-1:222222222222:snapshot/snap-0abc";
const GCP_DISK =
  "//compute.googleapis.com/projects/441570621172/zones/europe-west4-a/disk/5731447681477044785";

let w: Warehouse;
let built: { failed: number };

const aws = (row: InventoryRow, at: string): InventoryRow => ({
  snapshot_time: at,
  provider: "aws",
  account_id: "222222222222",
  region: "us-east-1",
  source: "ec2",
  scope: "us-east-1",
  ...row,
});

beforeAll(async () => {
  const dir = tempDir();
  const lakeDir = tempDir();
  const cur = (id: string, usageType: string, day: string, cost: string) =>
    `111111111111,2026-10-01T00:00:00Z,222222222222,Usage,${day}T00:00:00Z,AmazonEC2,${usageType},${id},us-east-1,1,${cost},USD`;
  writeFileSync(
    path.join(dir, "cur2-2026-10.csv"),
    [
      "bill_payer_account_id,bill_billing_period_start_date,line_item_usage_account_id,line_item_line_item_type,line_item_usage_start_date,line_item_product_code,line_item_usage_type,line_item_resource_id,product_region_code,line_item_usage_amount,line_item_unblended_cost,line_item_currency_code",
      cur("vol-0unattached", "EBS:VolumeUsage.gp3", "2026-10-31", "0.26"),
      cur("i-0stopped", "BoxUsage:m5.large", "2026-10-20", "2.30"),
      cur("vol-0root", "EBS:VolumeUsage.gp3", "2026-10-31", "0.05"),
      cur(SNAP_ARN, "EBS:SnapshotUsage", "2026-10-31", "0.02"),
      cur("203.0.113.10", "USE1-ElasticIP:IdleAddress", "2026-10-31", "0.12"),
      cur("vol-0deleted", "EBS:VolumeUsage.gp2", "2026-10-29", "0.10"),
    ].join("\n"),
  );
  // The detailed export as BigQuery extracts it: a disk named by project number and numeric id.
  writeFileSync(
    path.join(dir, "gcp-export-2026-10.json"),
    `${JSON.stringify({
      billing_account_id: "01ABCD-234567-89EFGH",
      service: { id: "6F81-5844-456A", description: "Compute Engine" },
      sku: { id: "315D-05CC-A75E", description: "SSD backed PD Capacity in Netherlands" },
      usage_start_time: "2026-10-31 00:00:00 UTC",
      usage_end_time: "2026-11-01 00:00:00 UTC",
      project: { id: "acme-prod", number: "441570621172", name: "Acme" },
      labels: [],
      system_labels: [],
      location: { location: "europe-west4", country: "NL", region: "europe-west4", zone: "europe-west4-a" },
      resource: { name: "pd-data", global_name: GCP_DISK },
      cost: 0.5,
      currency: "EUR",
      usage: {
        amount: 1,
        unit: "byte-seconds",
        amount_in_pricing_units: 0.07,
        pricing_unit: "gibibyte month",
      },
      credits: [],
      invoice: { month: "202610" },
      cost_type: "regular",
    })}\n`,
  );
  // Last month's last snapshot stays in raw as history; the models read the latest only.
  const september = "2026-09-30T06:00:00Z";
  const septemberDir = path.join(dir, "september");
  writeInventorySnapshot(septemberDir, "ec2", september, [
    aws({ resource_id: "i-0stopped", resource_type: "virtual_machine", state: "running" }, september),
    aws({ resource_id: "vol-0september", resource_type: "volume", state: "available" }, september),
  ]);
  const older = "2026-10-30T06:00:00Z";
  const newer = "2026-10-31T06:00:00Z";
  const olderDir = path.join(dir, "older");
  writeInventorySnapshot(olderDir, "ec2", older, [
    aws(
      { resource_id: "vol-0unattached", resource_type: "volume", state: "in-use", attached_to: "i-0stopped" },
      older,
    ),
    aws({ resource_id: "vol-0deleted", resource_type: "volume", state: "available" }, older),
  ]);
  const newerDir = path.join(dir, "newer");
  writeInventorySnapshot(newerDir, "ec2", newer, [
    aws(
      {
        resource_id: "vol-0unattached",
        resource_type: "volume",
        state: "available",
        size: "gp3",
        size_gb: 100,
        created_at: "2026-03-01T10:00:00Z",
        tags: '{"team":"data"}',
      },
      newer,
    ),
    aws(
      {
        resource_id: "i-0stopped",
        resource_type: "virtual_machine",
        state: "stopped",
        size: "m5.large",
        source_id: "ami-0123",
      },
      newer,
    ),
    aws(
      {
        resource_id: "vol-0root",
        resource_type: "volume",
        state: "in-use",
        attached_to: "i-0stopped",
        size: "gp3",
        size_gb: 8,
      },
      newer,
    ),
    // Named by its id here, by its ARN in the CUR.
    aws(
      {
        resource_id: "snap-0abc",
        resource_type: "snapshot",
        state: "completed",
        size_gb: 8,
        created_at: "2025-01-15T00:00:00Z",
        source_id: "vol-0root",
      },
      newer,
    ),
    aws({ resource_id: "203.0.113.10", resource_type: "public_ip", state: "unassociated" }, newer),
    aws(
      { resource_id: "i-0new", resource_type: "virtual_machine", state: "running", size: "t3.micro" },
      newer,
    ),
  ]);
  const gcpDir = path.join(dir, "gcp");
  writeInventorySnapshot(gcpDir, "computeapi", newer, [
    {
      snapshot_time: newer,
      provider: "gcp",
      account_id: "acme-prod",
      region: "europe-west4",
      resource_id:
        "//compute.googleapis.com/projects/acme-prod/zones/europe-west4-a/disks/5731447681477044785",
      resource_type: "volume",
      state: "ready",
      size: "pd-ssd",
      size_gb: 50,
      source: "computeapi",
    },
  ]);
  w = await Warehouse.open({ path: ":memory:" });
  await ingestPaths(
    w,
    [
      path.join(dir, "cur2-2026-10.csv"),
      path.join(dir, "gcp-export-2026-10.json"),
      septemberDir,
      olderDir,
      gcpDir,
    ],
    { lakeDir },
    quiet,
  );
  const [restated] = await ingestPaths(w, [newerDir], { lakeDir }, quiet);
  expect(restated).toMatchObject({ format: "inventory_resources", status: "replaced", rows: 6 });
  built = await buildProject(
    w,
    ROOT,
    {
      runModels: true,
      runTests: true,
      vars: modelVars(loadConfig({ cwd: tempDir(), env: {} })),
      externalRoot: tempDir(),
    },
    quiet,
  );
});

describe("inventory", () => {
  it("a newer snapshot of the same account, source and region restates the older one of its month in raw", async () => {
    const raw = await w.all<{ t: string; n: string }>(
      `select snapshot_time::varchar as t, count(*)::varchar as n from raw.inventory_resources
       where provider = 'aws' group by 1 order by 1`,
    );
    expect(raw).toEqual([
      { t: "2026-09-30T06:00:00Z", n: "2" },
      { t: "2026-10-31T06:00:00Z", n: "6" },
    ]);
    expect(INVENTORY_COLUMNS).toContain("scope");
    expect(built.failed).toBe(0);
  });

  it("marts.resources carries the latest snapshot's state, attachment, creation and source", async () => {
    const rows = await w.all<Record<string, string | null>>(
      `select resource_id, resource_type, state, monthly_cost::varchar as cost, inventory_state, attached_to,
         strftime(created_at, '%Y-%m-%d') as created, size_gb::varchar as gb, source_id, sku,
         strftime(inventory_seen_at, '%Y-%m-%dT%H:%M') as seen
       from marts.resources where provider = 'aws' order by resource_id`,
    );
    const byId = Object.fromEntries(rows.map((r) => [r.resource_id, r]));
    expect(Object.keys(byId)).toEqual([
      "203.0.113.10",
      SNAP_ARN,
      "i-0new",
      "i-0stopped",
      "vol-0deleted",
      "vol-0root",
      "vol-0unattached",
    ]);
    expect(byId["vol-0unattached"]).toMatchObject({
      resource_type: "volume",
      state: "active",
      inventory_state: "available",
      attached_to: null,
      created: "2026-03-01",
      gb: "100.0",
      seen: "2026-10-31T06:00",
    });
    // Billing ended on the 20th (gone); the VM is still there, stopped, with its root volume attached.
    expect(byId["i-0stopped"]).toMatchObject({
      state: "gone",
      inventory_state: "stopped",
      source_id: "ami-0123",
    });
    expect(byId["vol-0root"]).toMatchObject({ inventory_state: "in-use", attached_to: "i-0stopped" });
    // The CUR's ARN and the inventory's id are one snapshot; its source volume is this table's id.
    expect(byId[SNAP_ARN]).toMatchObject({
      resource_type: "snapshot",
      inventory_state: "completed",
      created: "2025-01-15",
      source_id: "vol-0root",
    });
    expect(byId["203.0.113.10"]).toMatchObject({
      resource_type: "public_ip",
      inventory_state: "unassociated",
      attached_to: null,
    });
    // Listed, not billed yet: there, with no cost.
    expect(byId["i-0new"]).toMatchObject({
      resource_type: "virtual_machine",
      state: "active",
      cost: null,
      sku: "t3.micro",
      inventory_state: "running",
    });
    // The older snapshot listed it; the latest does not: in no inventory, billing says gone.
    expect(byId["vol-0deleted"]).toMatchObject({ state: "gone", inventory_state: null, seen: null });
    // Only September's snapshot lists it: it is gone, and not billed, so it is nowhere.
    expect(byId["vol-0september"]).toBeUndefined();
  });

  it("matches a Compute Engine resource however the project is spelled, by its numeric id", async () => {
    const rows = await w.all<Record<string, string | null>>(
      `select resource_id, provider, resource_type, inventory_state, size_gb::varchar as gb, currency
       from marts.resources where provider = 'gcp'`,
    );
    expect(rows).toEqual([
      {
        resource_id: GCP_DISK,
        provider: "gcp",
        resource_type: "volume",
        inventory_state: "ready",
        gb: "50.0",
        currency: "EUR",
      },
    ]);
    // The billing alone says it is a volume: real exports write the collection singular (/disk/).
    expect(
      await w.all("select distinct x_ResourceKind as kind from marts.focus_costs where ResourceId = $1", [
        GCP_DISK,
      ]),
    ).toEqual([{ kind: "volume" }]);
  });
});
