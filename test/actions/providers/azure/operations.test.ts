/**
 * Each Operation through the real SDKs against the replay: which ARM calls, in which order, with
 * which api-version, body and x-ms-client-request-id (derived from the step's token), and the
 * state describe() reads afterwards.
 */
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { ProviderError } from "../../../../actions/providers/adapter.ts";
import { clientRequestId } from "../../../../actions/providers/azure/index.ts";
import { tempDir } from "../../../helpers/tmp.ts";
import { diskId, ipId, replayWithAdapter, snapshotId, vmId } from "./setup.ts";

const { replay, adapter } = await replayWithAdapter(tempDir());
afterAll(() => replay.close());

let mark = 0;
beforeEach(() => {
  mark = replay.log.length;
});
const since = () => replay.log.slice(mark);

const perform = (
  resourceId: string,
  operation: Parameters<typeof adapter.perform>[0]["operation"],
  token: string,
) => adapter.perform({ resourceId, operation, idempotencyToken: token });

describe("virtual machines", () => {
  it("stop (deallocate), resize (PATCH vmSize after vmSizes), start: each call carries its step's request id", async () => {
    const vm = replay.vm(vmId("web-1"), { size: "Standard_D4s_v3", tags: { team: "web" } });
    expect(await adapter.describe(vm)).toMatchObject({
      exists: true,
      status: "running",
      size: "Standard_D4s_v3",
      tags: { team: "web" },
    });
    mark = replay.log.length;
    await perform(vm, { op: "stop_vm" }, "act-1:0");
    await perform(vm, { op: "resize_vm", size: "Standard_D2s_v3" }, "act-1:1");
    await perform(vm, { op: "start_vm" }, "act-1:2");
    const mutating = since().filter(
      (e) => e.method !== "GET" || e.call === "virtualMachines.listAvailableSizes",
    );
    expect(mutating.map((e) => [e.method, e.call, e.clientRequestId])).toEqual([
      ["POST", "virtualMachines.deallocate", clientRequestId("act-1:0", "virtualMachines.deallocate")],
      [
        "GET",
        "virtualMachines.listAvailableSizes",
        clientRequestId("act-1:1", "virtualMachines.listAvailableSizes"),
      ],
      ["PATCH", "virtualMachines.update", clientRequestId("act-1:1", "virtualMachines.update")],
      ["POST", "virtualMachines.start", clientRequestId("act-1:2", "virtualMachines.start")],
    ]);
    expect(mutating.every((e) => e.apiVersion === "2026-03-01")).toBe(true);
    expect(mutating[2]!.body).toEqual({ properties: { hardwareProfile: { vmSize: "Standard_D2s_v3" } } });
    expect(mutating.map((e) => e.status)).toEqual([202, 200, 200, 202]);
    expect(await adapter.describe(vm)).toMatchObject({ status: "running", size: "Standard_D2s_v3" });
  });

  it("stopping a deallocated VM changes nothing; a size the VM cannot take is refused before any change", async () => {
    const vm = replay.vm(vmId("web-2"), { size: "Standard_D4s_v3", power: "deallocated" });
    await perform(vm, { op: "stop_vm" }, "act-2:0");
    expect(since().find((e) => e.call === "virtualMachines.deallocate")!.applied).toBe(false);
    const refused = await perform(vm, { op: "resize_vm", size: "Standard_M416ms_v2" }, "act-2:1").catch(
      (e) => e,
    );
    expect(refused).toBeInstanceOf(ProviderError);
    expect(refused.code).toBe("invalid");
    expect(since().some((e) => e.call === "virtualMachines.update")).toBe(false);
    expect(await adapter.describe(vm)).toMatchObject({ status: "deallocated", size: "Standard_D4s_v3" });
  });

  it("a VM that does not exist reads as gone", async () => {
    expect(await adapter.describe(vmId("nobody"))).toMatchObject({ exists: false, kind: "vm" });
  });
});

describe("disks and snapshots", () => {
  it("snapshot, then delete a disk of a stopped VM (detached first), then restore and re-attach it", async () => {
    const vm = replay.vm(vmId("db-1"), { size: "Standard_E4s_v5", power: "deallocated" });
    const disk = replay.disk(diskId("db-1-data"), {
      sku: "Premium_LRS",
      sizeGb: 256,
      attachTo: vm,
      tags: { team: "db" },
    });
    expect(await adapter.describe(disk)).toMatchObject({
      status: "in-use",
      size: "Premium_LRS",
      sizeGb: 256,
      attachedTo: [vm.toLowerCase()],
    });
    mark = replay.log.length;

    const snap = await perform(disk, { op: "snapshot_disk", snapshotName: "cco-act-3" }, "act-3:0");
    expect(snap.output).toEqual({ snapshotId: snapshotId("cco-act-3") });
    const put = since().find((e) => e.call === "snapshots.createOrUpdate")!;
    expect(put.method).toBe("PUT");
    expect(put.path).toBe(snapshotId("cco-act-3"));
    expect(put.clientRequestId).toBe(clientRequestId("act-3:0", "snapshots.createOrUpdate"));
    expect(put.body).toMatchObject({
      location: "westeurope",
      tags: { team: "db" },
      properties: { creationData: { createOption: "Copy", sourceResourceId: disk }, incremental: false },
    });
    // The same step again (a re-send after a crash) PUTs the same snapshot: nothing new.
    const again = await perform(disk, { op: "snapshot_disk", snapshotName: "cco-act-3" }, "act-3:0");
    expect(again.output).toEqual(snap.output);
    expect(
      since()
        .filter((e) => e.call === "snapshots.createOrUpdate")
        .map((e) => [e.status, e.applied]),
    ).toEqual([
      [201, true],
      [200, false],
    ]);

    mark = replay.log.length;
    await perform(disk, { op: "delete_disk" }, "act-3:1");
    expect(since().map((e) => e.call)).toEqual([
      "disks.get",
      "virtualMachines.get",
      "virtualMachines.update",
      "virtualMachines.get", // the SDK's final read of the PATCHed VM
      "disks.delete",
    ]);
    const detach = since().find((e) => e.call === "virtualMachines.update")!;
    expect(detach.body).toEqual({ properties: { storageProfile: { dataDisks: [] } } });
    expect(await adapter.describe(disk)).toMatchObject({ exists: false });

    mark = replay.log.length;
    const restored = await perform(
      disk,
      { op: "restore_disk", snapshotId: snap.output!.snapshotId!, size: "Premium_LRS", attachTo: vm },
      "act-3:undo:0",
    );
    const newId = restored.output!.resourceId!;
    expect(newId).toMatch(/\/disks\/db-1-data-restored-[0-9a-f]{8}$/);
    expect(
      since()
        .filter((e) => e.method !== "GET")
        .map((e) => [e.method, e.call]),
    ).toEqual([
      ["PUT", "disks.createOrUpdate"],
      ["PATCH", "virtualMachines.update"],
    ]);
    expect(since().find((e) => e.call === "disks.createOrUpdate")!.body).toMatchObject({
      sku: { name: "Premium_LRS" },
      properties: { creationData: { createOption: "Copy", sourceResourceId: snapshotId("cco-act-3") } },
    });
    expect(since().find((e) => e.call === "virtualMachines.update")!.body).toEqual({
      properties: {
        storageProfile: { dataDisks: [{ lun: 0, createOption: "Attach", managedDisk: { id: newId } }] },
      },
    });
    expect(await adapter.describe(newId)).toMatchObject({
      exists: true,
      size: "Premium_LRS",
      sizeGb: 256,
      attachedTo: [vm.toLowerCase()],
    });
    // Re-sent with its token: the same disk, attached once.
    expect(
      (
        await perform(
          disk,
          { op: "restore_disk", snapshotId: snap.output!.snapshotId!, size: "Premium_LRS", attachTo: vm },
          "act-3:undo:0",
        )
      ).output,
    ).toEqual(restored.output);
    expect((replay.get(vm)!.properties.storageProfile as { dataDisks: unknown[] }).dataDisks).toHaveLength(1);
  });

  it("a disk of a running VM is not deleted (conflict), and nothing changes", async () => {
    const vm = replay.vm(vmId("app-1"), { size: "Standard_D2s_v3" });
    const disk = replay.disk(diskId("app-1-data"), { sku: "StandardSSD_LRS", sizeGb: 64, attachTo: vm });
    const error = await perform(disk, { op: "delete_disk" }, "act-4:1").catch((e) => e);
    expect(error).toMatchObject({ code: "conflict" });
    expect(since().some((e) => e.applied)).toBe(false);
    expect(await adapter.describe(disk)).toMatchObject({ exists: true, status: "in-use" });
  });

  it("change a disk's type (PATCH sku), delete a snapshot", async () => {
    const disk = replay.disk(diskId("logs"), { sku: "Premium_LRS", sizeGb: 128 });
    await perform(disk, { op: "change_disk_type", type: "StandardSSD_LRS" }, "act-5:0");
    const patch = since().find((e) => e.call === "disks.update")!;
    expect([patch.method, patch.apiVersion, patch.body]).toEqual([
      "PATCH",
      "2025-01-02",
      { sku: { name: "StandardSSD_LRS" } },
    ]);
    expect(await adapter.describe(disk)).toMatchObject({ size: "StandardSSD_LRS", status: "available" });

    const snap = replay.snapshot(snapshotId("old-backup"), { sizeGb: 128 });
    expect(await adapter.describe(snap)).toMatchObject({ exists: true, status: "available", sizeGb: 128 });
    await perform(snap, { op: "delete_snapshot" }, "act-6:0");
    expect(
      since()
        .filter((e) => e.call === "snapshots.delete")
        .map((e) => [e.method, e.status]),
    ).toEqual([["DELETE", 202]]);
    expect(await adapter.describe(snap)).toMatchObject({ exists: false });
  });
});

describe("addresses and tags", () => {
  it("releases an idle public IP; refuses an associated one without sending the DELETE", async () => {
    const idle = replay.ip(ipId("pip-idle"));
    expect(await adapter.describe(idle)).toMatchObject({ status: "idle", attachedTo: [] });
    mark = replay.log.length;
    await perform(idle, { op: "release_address" }, "act-7:0");
    expect(since().map((e) => [e.method, e.call])).toEqual([
      ["GET", "publicIPAddresses.get"],
      ["DELETE", "publicIPAddresses.delete"],
    ]);
    expect(since()[1]!.clientRequestId).toBe(clientRequestId("act-7:0", "publicIPAddresses.delete"));
    expect(await adapter.describe(idle)).toMatchObject({ exists: false });

    const nic = `${vmId("x").split("/providers/")[0]}/providers/Microsoft.Network/networkInterfaces/nic-1`;
    const used = replay.ip(ipId("pip-used"), { ipConfiguration: `${nic}/ipConfigurations/ipconfig1` });
    expect(await adapter.describe(used)).toMatchObject({
      status: "associated",
      attachedTo: [nic.toLowerCase()],
    });
    mark = replay.log.length;
    await expect(perform(used, { op: "release_address" }, "act-8:0")).rejects.toMatchObject({
      code: "conflict",
    });
    expect(since().map((e) => e.call)).toEqual(["publicIPAddresses.get"]);
  });

  it("sets and removes a tag through the Tags API (Merge, then Delete of the name/value pair)", async () => {
    const vm = replay.vm(vmId("batch-1"), { size: "Standard_B2s", tags: { team: "data" } });
    await perform(vm, { op: "set_tags", tags: { "cco:schedule": "weekdays 07:00-19:00" } }, "act-9:0");
    expect(await adapter.describe(vm)).toMatchObject({
      tags: { team: "data", "cco:schedule": "weekdays 07:00-19:00" },
    });
    await perform(vm, { op: "remove_tags", keys: ["cco:schedule"] }, "act-9:undo:0");
    const patches = since().filter((e) => e.call === "tags.updateAtScope");
    expect(patches.map((e) => [e.method, e.path, e.apiVersion, e.body])).toEqual([
      [
        "PATCH",
        `${vm}/providers/Microsoft.Resources/tags/default`,
        "2021-04-01",
        { operation: "Merge", properties: { tags: { "cco:schedule": "weekdays 07:00-19:00" } } },
      ],
      [
        "PATCH",
        `${vm}/providers/Microsoft.Resources/tags/default`,
        "2021-04-01",
        { operation: "Delete", properties: { tags: { "cco:schedule": "weekdays 07:00-19:00" } } },
      ],
    ]);
    expect((await adapter.describe(vm)).tags).toEqual({ team: "data" });
  });
});
