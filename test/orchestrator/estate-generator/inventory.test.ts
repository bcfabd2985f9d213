/**
 * The generator's inventory: what the inventory sources would read at noon on the window's last
 * day, under the ids the billing exports use, with the estate's own signal (attachments, planted
 * unattached disks and unassociated addresses, stopped VMs, snapshot ages).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { INVENTORY_COLUMNS } from "../../../ingest/inventory/layout.ts";
import { ingestPaths } from "../../../ingest/load.ts";
import { buildEstate, type EstateResource } from "../../../orchestrator/estate-generator/estate.ts";
import { type GenerateResult, generateEstate } from "../../../orchestrator/estate-generator/generate.ts";
import { quiet, tempDir } from "../../helpers/tmp.ts";

const options = { seed: 11, resources: 200, days: 60, endDate: "2026-10-30" }; // a Friday
let generated: GenerateResult;
let rows: Record<string, string>[];
let resources: EstateResource[];
const inventoryFiles = () => generated.files.filter((f) => f.includes(`${path.sep}inventory${path.sep}`));

/** The billing id as the inventory writes it (Azure's lower case, as Resource Graph's compare). */
const idOf = (r: EstateResource) => (r.provider === "azure" ? r.resourceId.toLowerCase() : r.resourceId);

beforeAll(async () => {
  generated = await generateEstate(options, tempDir(), quiet);
  resources = buildEstate(options).resources;
  const w = await Warehouse.open({ path: ":memory:" });
  const results = await ingestPaths(w, inventoryFiles(), { lakeDir: tempDir() }, quiet);
  expect(results.map((r) => [r.format, r.status])).toEqual(Array(4).fill(["inventory_resources", "loaded"]));
  rows = await w.all<Record<string, string>>(
    `select * exclude (_billing_account, _billing_period, _source_file, _loaded_at, _load_id)
     from raw.inventory_resources order by resource_id`,
  );
  await w.close();
});

describe("the generator's inventory", () => {
  it("is one snapshot per source in the inventory layout, read at noon on the last day", () => {
    expect(inventoryFiles().map((f) => path.basename(f))).toEqual([
      "ec2-inventory-2026-10.csv",
      "resourcegraph-inventory-2026-10.csv",
      "computeapi-inventory-2026-10.csv",
      "file-inventory-2026-10.csv",
    ]);
    for (const file of inventoryFiles())
      expect(readFileSync(file, "utf8").split("\n")[0]).toBe(INVENTORY_COLUMNS.join(","));
    expect(new Set(rows.map((r) => r.snapshot_time))).toEqual(new Set(["2026-10-30T12:00:00Z"]));
    expect(new Set(rows.map((r) => `${r.provider}:${r.source}`))).toEqual(
      new Set(["aws:ec2", "azure:resourcegraph", "gcp:computeapi", "oci:file"]),
    );
    expect(rows.filter((r) => r.provider === "aws").every((r) => r.scope === r.region)).toBe(true);
  });

  it("lists every VM, disk, snapshot and address that exists on the last day, under its billing id", () => {
    const last = options.days - 1;
    const existing = resources.filter(
      (r) => r.kind !== "bucket" && r.startDay <= last && (r.endDay === last || r.case === "stopped_vm"),
    );
    expect(rows.map((r) => r.resource_id).sort()).toEqual(existing.map(idOf).sort());
    const kinds = { vm: "virtual_machine", disk: "volume", snapshot: "snapshot", ip: "public_ip" } as const;
    const byId = new Map(rows.map((r) => [r.resource_id, r]));
    for (const r of existing) {
      const row = byId.get(idOf(r))!;
      expect(row.resource_type).toBe(kinds[r.kind as keyof typeof kinds]);
      expect(row.account_id).toBe(r.subAccountId);
      expect(row.region).toBe(r.region);
      expect(JSON.parse(row.tags!)).toEqual(r.tags);
    }
  });

  it("carries the signal: attachments, unattached disks, unassociated addresses, stopped VMs, snapshot ages", () => {
    const byId = new Map(rows.map((r) => [r.resource_id, r]));
    const row = (r: EstateResource) => byId.get(idOf(r));
    const vmIds = new Set(
      rows.filter((r) => r.resource_type === "virtual_machine").map((r) => r.resource_id),
    );
    const planted = (kind: string) => resources.filter((r) => r.case === kind);
    expect(planted("unattached_disk").length).toBeGreaterThan(0);
    for (const disk of resources.filter((r) => r.kind === "disk" && row(r))) {
      if (disk.case === "unattached_disk") {
        expect(row(disk)).toMatchObject({ attached_to: null });
        expect(["available", "unattached", "ready"]).toContain(row(disk)!.state);
      } else {
        expect(row(disk)!.attached_to).toBe(
          disk.provider === "azure" ? disk.attachedTo!.toLowerCase() : disk.attachedTo,
        );
        expect(["in-use", "attached", "reserved", "ready", "available"]).toContain(row(disk)!.state);
      }
      expect(Number(row(disk)!.size_gb)).toBe(disk.sizeGb);
    }
    expect(planted("unassociated_ip").length).toBeGreaterThan(0);
    for (const ip of resources.filter((r) => r.kind === "ip" && row(r))) {
      if (ip.case === "unassociated_ip") {
        expect(row(ip)!.attached_to).toBeNull();
        expect(["unassociated", "reserved", "available"]).toContain(row(ip)!.state);
      } else {
        // On a VM of the inventory that runs around the clock.
        const vm = byId.get(row(ip)!.attached_to!);
        expect(vm?.state).toBe("running");
        expect(["associated", "in_use", "assigned"]).toContain(row(ip)!.state);
      }
    }
    expect(planted("stopped_vm").length).toBeGreaterThan(0);
    for (const vm of resources.filter((r) => r.kind === "vm" && row(r))) {
      const state = row(vm)!.state;
      if (vm.case === "stopped_vm") expect(["stopped", "deallocated", "terminated"]).toContain(state);
      // The last day is a Friday: office-hours VMs run at noon too.
      else expect(state).toBe("running");
      expect(row(vm)!.size).toBe(vm.size);
    }
    for (const disk of planted("stopped_vm_disk")) expect(vmIds.has(row(disk)!.attached_to!)).toBe(true);
    expect(planted("old_snapshot").length).toBeGreaterThan(0);
    for (const snapshot of resources.filter((r) => r.kind === "snapshot" && row(r))) {
      expect(row(snapshot)!.created_at).toBe(`${snapshot.createdAt}T00:00:00Z`);
      const source = byId.get(row(snapshot)!.source_id!);
      expect(source?.resource_type).toBe("volume");
      expect(source?.account_id).toBe(snapshot.subAccountId);
    }
  });
});
