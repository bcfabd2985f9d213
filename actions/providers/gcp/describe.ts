/**
 * A Compute Engine resource's real state in the ResourceState vocabulary the kinds and the
 * sandbox use: VMs running | stopped (TERMINATED, STOPPED, SUSPENDED read as stopped: nothing
 * runs) | stopping | starting; disks in-use | available (by their users); snapshots available;
 * addresses associated | idle (IN_USE | RESERVED). Size: the machine type, the disk type, the
 * snapshot type, the address's network tier. Tags: the labels, cco's escapes decoded.
 */
import type { protos } from "@google-cloud/compute";
import type { ResourceState } from "../adapter.ts";
import type { Caller } from "./client.ts";
import { NO_RETRY } from "./client.ts";
import { type GcpRef, idOfUrl, KIND_OF, leaf, regionOfZone } from "./ids.ts";
import { tagsOf } from "./labels.ts";

type Instance = protos.google.cloud.compute.v1.IInstance;
type Disk = protos.google.cloud.compute.v1.IDisk;
type Snapshot = protos.google.cloud.compute.v1.ISnapshot;
type Address = protos.google.cloud.compute.v1.IAddress;

const VM_STATUS: Record<string, string> = {
  RUNNING: "running",
  TERMINATED: "stopped",
  STOPPED: "stopped",
  SUSPENDED: "stopped",
  STOPPING: "stopping",
  SUSPENDING: "stopping",
  PROVISIONING: "starting",
  STAGING: "starting",
  REPAIRING: "repairing",
};

export const getInstance = (c: Caller, ref: GcpRef): Promise<Instance> =>
  c
    .call("instances.get", (k) =>
      k.instances.get({ project: ref.project, zone: ref.zone, instance: ref.name }, NO_RETRY),
    )
    .then(([i]) => i);
export const getDisk = (c: Caller, ref: GcpRef): Promise<Disk> =>
  c
    .call("disks.get", (k) => k.disks.get({ project: ref.project, zone: ref.zone, disk: ref.name }, NO_RETRY))
    .then(([d]) => d);
export const getSnapshot = (c: Caller, ref: GcpRef): Promise<Snapshot> =>
  c
    .call("snapshots.get", (k) => k.snapshots.get({ project: ref.project, snapshot: ref.name }, NO_RETRY))
    .then(([s]) => s);
export const getAddress = (c: Caller, ref: GcpRef): Promise<Address> =>
  ref.region
    ? c
        .call("addresses.get", (k) =>
          k.addresses.get({ project: ref.project, region: ref.region, address: ref.name }, NO_RETRY),
        )
        .then(([a]) => a)
    : c
        .call("globalAddresses.get", (k) =>
          k.globalAddresses.get({ project: ref.project, address: ref.name }, NO_RETRY),
        )
        .then(([a]) => a);

/** The labels and fingerprint of any labelled resource (for setLabels). */
export async function labelsOf(
  c: Caller,
  ref: GcpRef,
): Promise<{ labels: Record<string, string>; fingerprint: string }> {
  const r: { labels?: Record<string, string> | null; labelFingerprint?: string | null } =
    ref.collection === "instances"
      ? await getInstance(c, ref)
      : ref.collection === "disks"
        ? await getDisk(c, ref)
        : ref.collection === "snapshots"
          ? await getSnapshot(c, ref)
          : await getAddress(c, ref);
  return { labels: { ...(r.labels ?? {}) }, fingerprint: r.labelFingerprint ?? "" };
}

export async function describeRef(c: Caller, resourceId: string, ref: GcpRef): Promise<ResourceState> {
  const base = {
    resourceId,
    provider: "gcp" as const,
    kind: KIND_OF[ref.collection],
    exists: true,
    account: ref.project,
    region: ref.zone ? regionOfZone(ref.zone) : (ref.region ?? "global"),
  };
  const size = (n: unknown) => (n === null || n === undefined || n === "" ? {} : { sizeGb: Number(n) });
  switch (ref.collection) {
    case "instances": {
      const vm = await getInstance(c, ref);
      const status = String(vm.status ?? "");
      return {
        ...base,
        status: VM_STATUS[status] ?? status.toLowerCase(),
        size: leaf(vm.machineType),
        attachedTo: [],
        tags: tagsOf(vm.labels),
      };
    }
    case "disks": {
      const disk = await getDisk(c, ref);
      const users = (disk.users ?? []).map(idOfUrl);
      const status = String(disk.status ?? "");
      return {
        ...base,
        status: status === "READY" ? (users.length ? "in-use" : "available") : status.toLowerCase(),
        size: leaf(disk.type),
        ...size(disk.sizeGb),
        attachedTo: users,
        tags: tagsOf(disk.labels),
      };
    }
    case "snapshots": {
      const snap = await getSnapshot(c, ref);
      const status = String(snap.status ?? "");
      return {
        ...base,
        region: snap.storageLocations?.[0] ?? "global",
        status: status === "READY" ? "available" : status.toLowerCase(),
        size: String(snap.snapshotType ?? "STANDARD").toLowerCase(),
        ...size(snap.diskSizeGb),
        attachedTo: [],
        tags: tagsOf(snap.labels),
      };
    }
    case "addresses": {
      const address = await getAddress(c, ref);
      const users = (address.users ?? []).map(idOfUrl);
      const status = String(address.status ?? "");
      return {
        ...base,
        status:
          status === "IN_USE" || users.length
            ? "associated"
            : status === "RESERVED"
              ? "idle"
              : status.toLowerCase(),
        size: address.networkTier ? String(address.networkTier) : undefined,
        attachedTo: users,
        tags: tagsOf(address.labels),
      };
    }
  }
}
