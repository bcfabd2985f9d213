/**
 * Each Operation as ARM calls (permissions.ts lists them, in this order). Rules Azure enforces
 * are left to Azure and mapped by errors.ts; the adapter adds only what the operation set
 * needs: a disk of a stopped VM is detached before it is deleted (ARM refuses to delete an
 * attached disk), a restored disk is attached at the first free LUN.
 */
import { createHash } from "node:crypto";
import type { DataDisk } from "@azure/arm-compute/models/compute";
import { type Operation, type OperationRequest, type OperationResult, ProviderError } from "../adapter.ts";
import { type Caller, call } from "./call.ts";
import { describeResource, powerState } from "./describe.ts";
import { armError } from "./errors.ts";
import { type ArmId, armId, parseArmId, sameId } from "./ids.ts";

/** Tags - Update At Scope (https://learn.microsoft.com/rest/api/resources/tags/update-at-scope). */
const TAGS_API = "2021-04-01";

type Op<K extends Operation["op"]> = Extract<Operation, { op: K }>;

export async function performOperation(caller: Caller, request: OperationRequest): Promise<OperationResult> {
  const id = parseArmId(request.resourceId);
  const token = request.idempotencyToken;
  const o = request.operation;
  const { compute, network } = await caller.clients(id.subscription);
  const vm = () => {
    if (id.kind !== "vm")
      throw new ProviderError("invalid", `${o.op} applies to a virtual machine; ${id.id} is a ${id.kind}`);
  };
  let last: string | undefined;
  const track = <T>(c: { value: T; requestId?: string }) => {
    last = c.requestId ?? last;
    return c.value;
  };
  let output: Record<string, string> | undefined;
  switch (o.op) {
    case "stop_vm":
      vm();
      // Deallocate, not power off: a powered-off VM still bills its compute.
      track(
        await call(caller, "virtualMachines.deallocate", token, (c) =>
          compute.virtualMachines.beginDeallocateAndWait(id.resourceGroup, id.name, c.compute),
        ),
      );
      break;
    case "start_vm":
      vm();
      track(
        await call(caller, "virtualMachines.start", token, (c) =>
          compute.virtualMachines.beginStartAndWait(id.resourceGroup, id.name, c.compute),
        ),
      );
      break;
    case "resize_vm": {
      vm();
      const sizes = track(
        await call(caller, "virtualMachines.listAvailableSizes", token, async (c) => {
          const names: string[] = [];
          for await (const s of compute.virtualMachines.listAvailableSizes(
            id.resourceGroup,
            id.name,
            c.compute,
          ))
            if (s.name) names.push(s.name);
          return names;
        }),
      );
      if (!sizes.some((s) => s.toLowerCase() === o.size.toLowerCase())) {
        throw new ProviderError(
          "invalid",
          `size ${o.size} is not offered for ${id.name} (vmSizes lists ${sizes.length})`,
        );
      }
      track(
        await call(caller, "virtualMachines.update", token, (c) =>
          compute.virtualMachines.beginUpdateAndWait(
            id.resourceGroup,
            id.name,
            { hardwareProfile: { vmSize: o.size } },
            c.compute,
          ),
        ),
      );
      break;
    }
    case "snapshot_disk": {
      const disk = track(
        await call(caller, "disks.get", token, (c) =>
          compute.disks.get(id.resourceGroup, id.name, c.compute),
        ),
      );
      // A full copy named after the action: the same PUT again finds the same snapshot.
      const snapshot = track(
        await call(caller, "snapshots.createOrUpdate", token, (c) =>
          compute.snapshots.beginCreateOrUpdateAndWait(
            id.resourceGroup,
            o.snapshotName,
            {
              location: disk.location,
              creationData: { createOption: "Copy", sourceResourceId: disk.id ?? id.id },
              incremental: false,
              tags: { ...disk.tags },
            },
            c.compute,
          ),
        ),
      );
      output = { snapshotId: snapshot.id ?? armId(id, "Microsoft.Compute/snapshots", o.snapshotName) };
      break;
    }
    case "delete_disk":
      last = await deleteDisk(caller, id, token);
      break;
    case "restore_disk": {
      const restored = await restoreDisk(caller, id, o, token);
      last = restored.requestId;
      output = { resourceId: restored.resourceId };
      break;
    }
    case "change_disk_type":
      track(
        await call(caller, "disks.update", token, (c) =>
          compute.disks.beginUpdateAndWait(id.resourceGroup, id.name, { sku: { name: o.type } }, c.compute),
        ),
      );
      break;
    case "delete_snapshot":
      track(
        await call(caller, "snapshots.delete", token, (c) =>
          compute.snapshots.beginDeleteAndWait(id.resourceGroup, id.name, c.compute),
        ),
      );
      break;
    case "release_address": {
      const ip = track(
        await call(caller, "publicIPAddresses.get", token, (c) =>
          network.publicIPAddresses.get(id.resourceGroup, id.name, c.network),
        ),
      );
      const holder = ip.ipConfiguration?.id ?? ip.natGateway?.id;
      if (holder)
        throw new ProviderError(
          "conflict",
          `address ${id.name} is associated with ${holder}; disassociate it before releasing it`,
        );
      track(
        await call(caller, "publicIPAddresses.delete", token, (c) =>
          network.publicIPAddresses.beginDeleteAndWait(id.resourceGroup, id.name, c.network),
        ),
      );
      break;
    }
    case "set_tags":
      last = await patchTags(caller, id, token, "Merge", o.tags);
      break;
    case "put_lifecycle_rule":
    case "delete_lifecycle_rule":
      throw new ProviderError(
        "invalid",
        `${o.op} is an S3 (AWS) operation; Blob lifecycle management is not automated`,
      );
    case "remove_tags": {
      // The Tags API deletes name/value pairs: the current values of the keys present.
      const current = (await describeResource(caller, id)).tags;
      const pairs = Object.fromEntries(o.keys.filter((k) => k in current).map((k) => [k, current[k]!]));
      if (Object.keys(pairs).length) last = await patchTags(caller, id, token, "Delete", pairs);
      break;
    }
  }
  return { requestId: last ?? `azure:${token}`, ...(output ? { output } : {}) };
}

async function patchTags(
  caller: Caller,
  id: ArmId,
  token: string,
  operation: "Merge" | "Delete",
  tags: Record<string, string>,
): Promise<string | undefined> {
  const { arm } = await caller.clients(id.subscription);
  const { value, requestId } = await call(
    caller,
    "tags.updateAtScope",
    token,
    async (c) =>
      await arm
        .pathUnchecked(`${id.id}/providers/Microsoft.Resources/tags/default?api-version=${TAGS_API}`)
        .patch({
          body: { operation, properties: { tags } },
          headers: c.compute.requestOptions.headers,
          abortSignal: c.compute.abortSignal,
        }),
  );
  if (!value.status.startsWith("2")) throw armError(value, "tags.updateAtScope");
  return requestId ?? value.headers["x-ms-request-id"];
}

/**
 * The VM a disk hangs on (or goes to), read with its power state. Detaching refuses a running VM
 * (the kinds stop it first, as the sandbox requires); attaching does not (Azure hot-attaches).
 */
async function vmHolding(
  caller: Caller,
  diskId: string,
  vmId: string,
  token: string,
  mustBeStopped: boolean,
) {
  const vmArm = parseArmId(vmId);
  const { compute } = await caller.clients(vmArm.subscription);
  const { value: vm } = await call(caller, "virtualMachines.get", token, (c) =>
    compute.virtualMachines.get(vmArm.resourceGroup, vmArm.name, { ...c.compute, expand: "instanceView" }),
  );
  const power = powerState(vm.instanceView?.statuses);
  if (mustBeStopped && power !== "deallocated" && power !== "stopped") {
    throw new ProviderError(
      "conflict",
      `disk ${diskId} is attached to ${power ?? "a"} VM ${vmArm.name}; stop the VM before changing its disks`,
    );
  }
  return { vmArm, vm, compute };
}

/**
 * Detach from its stopped VM (if attached), then delete. ARM has no atomic "delete an attached
 * disk": when the delete fails after the detach, the disk is attached again at its LUN, so a
 * failed operation leaves the disk as it was (the executor's undo of an unfinished delete is
 * nothing). A retried step detaches again: each detach of this process carries its own request id.
 */
async function deleteDisk(caller: Caller, id: ArmId, token: string): Promise<string | undefined> {
  const { compute } = await caller.clients(id.subscription);
  let disk: Awaited<ReturnType<typeof compute.disks.get>> | undefined;
  try {
    disk = (
      await call(caller, "disks.get", token, (c) => compute.disks.get(id.resourceGroup, id.name, c.compute))
    ).value;
  } catch (error) {
    // Already gone (a re-sent step): DELETE answers 204 for a missing resource anyway.
    if (!(error instanceof ProviderError) || error.code !== "not_found") throw error;
  }
  let detached: { vmArm: ArmId; before: DataDisk[]; n: number } | undefined;
  if (disk?.managedBy) {
    const { vmArm, vm } = await vmHolding(caller, id.id, disk.managedBy, token, true);
    if (sameId(vm.storageProfile?.osDisk?.managedDisk?.id, disk.id ?? id.id)) {
      throw new ProviderError(
        "conflict",
        `disk ${id.name} is the OS disk of ${vmArm.name}; it cannot be detached`,
      );
    }
    const before = vm.storageProfile?.dataDisks ?? [];
    const dataDisks = before.filter((d) => !sameId(d.managedDisk?.id, disk.id ?? id.id));
    const n = caller.count(`detach ${token}`);
    await setDataDisks(caller, vmArm, dataDisks, token, n > 1 ? `#${n}` : "");
    detached = { vmArm, before, n };
  }
  try {
    const { requestId } = await call(caller, "disks.delete", token, (c) =>
      compute.disks.beginDeleteAndWait(id.resourceGroup, id.name, c.compute),
    );
    return requestId;
  } catch (error) {
    if (detached) await reattach(caller, detached, token, error as ProviderError);
    throw error;
  }
}

/** Set a VM's data disks (ARM attaches and detaches by rewriting the list); `variant` as call()'s. */
async function setDataDisks(
  caller: Caller,
  vmArm: ArmId,
  dataDisks: DataDisk[],
  token: string,
  variant = "",
): Promise<void> {
  const { compute } = await caller.clients(vmArm.subscription);
  await call(
    caller,
    "virtualMachines.update",
    token,
    (c) =>
      compute.virtualMachines.beginUpdateAndWait(
        vmArm.resourceGroup,
        vmArm.name,
        { storageProfile: { dataDisks } },
        c.compute,
      ),
    variant,
  );
}

async function reattach(
  caller: Caller,
  { vmArm, before, n }: { vmArm: ArmId; before: DataDisk[]; n: number },
  token: string,
  cause: ProviderError,
): Promise<void> {
  const dataDisks = before.map((d) => ({
    lun: d.lun,
    createOption: "Attach" as const,
    managedDisk: { id: d.managedDisk?.id },
  }));
  try {
    await setDataDisks(caller, vmArm, dataDisks, token, `#reattach-${n}`);
  } catch (error) {
    // Both failed: say so, so the action needs attention rather than a retry that would detach again.
    throw new ProviderError(
      "conflict",
      `${cause.message}; and re-attaching the disk to ${vmArm.name} failed: ${(error as Error).message}`,
      cause.requestId,
    );
  }
}

/** A name for the restored disk from the step's token: a re-sent step PUTs the same disk. */
export function restoredName(original: string, token: string): string {
  const suffix = createHash("sha256").update(token).digest("hex").slice(0, 8);
  return `${original.slice(0, 80 - 18)}-restored-${suffix}`;
}

async function restoreDisk(
  caller: Caller,
  original: ArmId,
  o: Op<"restore_disk">,
  token: string,
): Promise<{ resourceId: string; requestId?: string }> {
  const snapArm = parseArmId(o.snapshotId);
  const { compute } = await caller.clients(original.subscription);
  const { value: snapshot } = await call(caller, "snapshots.get", token, (c) =>
    compute.snapshots.get(snapArm.resourceGroup, snapArm.name, c.compute),
  );
  const name = restoredName(original.name, token);
  const { value: disk, requestId } = await call(caller, "disks.createOrUpdate", token, (c) =>
    compute.disks.beginCreateOrUpdateAndWait(
      original.resourceGroup,
      name,
      {
        location: snapshot.location,
        ...(o.size ? { sku: { name: o.size } } : {}),
        creationData: { createOption: "Copy", sourceResourceId: snapshot.id ?? o.snapshotId },
        tags: { ...snapshot.tags },
      },
      c.compute,
    ),
  );
  const diskId = disk.id ?? armId(original, "Microsoft.Compute/disks", name);
  if (o.attachTo) {
    const { vmArm, vm } = await vmHolding(caller, diskId, o.attachTo, token, false);
    const dataDisks: DataDisk[] = [...(vm.storageProfile?.dataDisks ?? [])];
    if (!dataDisks.some((d) => sameId(d.managedDisk?.id, diskId))) {
      const used = new Set(dataDisks.map((d) => d.lun));
      let lun = 0;
      while (used.has(lun)) lun++;
      dataDisks.push({ lun, createOption: "Attach", managedDisk: { id: diskId } });
      await setDataDisks(caller, vmArm, dataDisks, token);
    }
  }
  return { resourceId: diskId, ...(requestId ? { requestId } : {}) };
}
