/**
 * A resource's real state, in the words the sandbox and the kinds use: a VM's power state from
 * its instance view (PowerState/running → running, PowerState/deallocated → deallocated), its
 * size; a managed disk's sku as its type, in-use when a VM holds it (managedBy) else available;
 * a snapshot available once provisioned; a public IP associated when an IP configuration holds
 * it. A resource ARM answers 404 for does not exist (deleted, or never was).
 */
import { ProviderError, type ResourceState } from "../adapter.ts";
import { type Caller, call } from "./call.ts";
import type { ArmId } from "./ids.ts";

const lower = (s: string | undefined) => s?.toLowerCase();

/** "PowerState/deallocated" → "deallocated"; no power state (a VM being created) → unknown. */
export function powerState(statuses: { code?: string }[] | undefined): string | undefined {
  const code = statuses?.find((s) => s.code?.toLowerCase().startsWith("powerstate/"))?.code;
  return code?.split("/")[1]?.toLowerCase();
}

/** A NIC's IP configuration id → the NIC (what the address is attached to). */
const nicOf = (configuration: string) =>
  configuration.replace(/\/(ipconfigurations|frontendipconfigurations)\/[^/]+$/i, "").toLowerCase();

export async function describeResource(caller: Caller, id: ArmId): Promise<ResourceState> {
  const base = { resourceId: id.id, provider: "azure" as const, kind: id.kind, account: id.subscription };
  const { compute, network } = await caller.clients(id.subscription);
  try {
    switch (id.kind) {
      case "vm": {
        const { value: vm } = await call(caller, "virtualMachines.get", undefined, (o) =>
          compute.virtualMachines.get(id.resourceGroup, id.name, { ...o.compute, expand: "instanceView" }),
        );
        return {
          ...base,
          exists: true,
          status: powerState(vm.instanceView?.statuses) ?? "unknown",
          size: vm.hardwareProfile?.vmSize,
          attachedTo: [],
          tags: { ...vm.tags },
          region: vm.location,
        };
      }
      case "disk": {
        const { value: disk } = await call(caller, "disks.get", undefined, (o) =>
          compute.disks.get(id.resourceGroup, id.name, o.compute),
        );
        return {
          ...base,
          exists: true,
          status: disk.managedBy ? "in-use" : "available",
          size: disk.sku?.name,
          ...(disk.diskSizeGB !== undefined ? { sizeGb: disk.diskSizeGB } : {}),
          attachedTo: disk.managedBy ? [lower(disk.managedBy)!] : [],
          tags: { ...disk.tags },
          region: disk.location,
        };
      }
      case "snapshot": {
        const { value: snapshot } = await call(caller, "snapshots.get", undefined, (o) =>
          compute.snapshots.get(id.resourceGroup, id.name, o.compute),
        );
        const state = lower(snapshot.provisioningState);
        return {
          ...base,
          exists: true,
          status: state === "succeeded" ? "available" : (state ?? "unknown"),
          size: snapshot.sku?.name,
          ...(snapshot.diskSizeGB !== undefined ? { sizeGb: snapshot.diskSizeGB } : {}),
          attachedTo: [],
          tags: { ...snapshot.tags },
          region: snapshot.location,
        };
      }
      case "ip": {
        const { value: ip } = await call(caller, "publicIPAddresses.get", undefined, (o) =>
          network.publicIPAddresses.get(id.resourceGroup, id.name, o.network),
        );
        const holder = ip.ipConfiguration?.id ?? ip.natGateway?.id;
        return {
          ...base,
          exists: true,
          status: holder ? "associated" : "idle",
          size: ip.sku?.name,
          attachedTo: holder ? [nicOf(holder)] : [],
          tags: { ...ip.tags },
          region: ip.location,
        };
      }
      default:
        throw new ProviderError("invalid", `${id.id}: no describe for a ${id.kind}`);
    }
  } catch (error) {
    if (error instanceof ProviderError && error.code === "not_found")
      return { ...base, exists: false, tags: {} };
    throw error;
  }
}
