/**
 * Every Compute Engine call the GCP adapter can make and the IAM permissions it needs
 * (https://cloud.google.com/compute/docs/access/iam-permissions), and which calls each Operation
 * makes: the permission check tests them, the custom role is made of them, and a test checks that
 * each action kind's declared permissions (permissions.gcp) cover the calls its steps and undo make.
 */
import type { Operation } from "../adapter.ts";
import type { GcpRef } from "./ids.ts";

export const CALL_PERMISSIONS = {
  "instances.get": ["compute.instances.get"],
  "instances.stop": ["compute.instances.stop"],
  "instances.start": ["compute.instances.start"],
  "instances.setMachineType": ["compute.instances.setMachineType"],
  "instances.setLabels": ["compute.instances.setLabels"],
  // Attaching uses the disk as well as changing the instance.
  "instances.attachDisk": ["compute.instances.attachDisk", "compute.disks.use"],
  "instances.detachDisk": ["compute.instances.detachDisk"],
  "disks.get": ["compute.disks.get"],
  // The snapshot carries the disk's labels: setting labels at creation needs setLabels.
  "disks.createSnapshot": [
    "compute.disks.createSnapshot",
    "compute.snapshots.create",
    "compute.snapshots.setLabels",
  ],
  "disks.insert": ["compute.disks.create", "compute.snapshots.useReadOnly", "compute.disks.setLabels"],
  "disks.delete": ["compute.disks.delete"],
  "disks.setLabels": ["compute.disks.setLabels"],
  "snapshots.get": ["compute.snapshots.get"],
  "snapshots.delete": ["compute.snapshots.delete"],
  "snapshots.setLabels": ["compute.snapshots.setLabels"],
  "addresses.get": ["compute.addresses.get"],
  "addresses.delete": ["compute.addresses.delete"],
  "addresses.setLabels": ["compute.addresses.setLabels"],
  "globalAddresses.get": ["compute.globalAddresses.get"],
  "globalAddresses.delete": ["compute.globalAddresses.delete"],
  "globalAddresses.setLabels": ["compute.globalAddresses.setLabels"],
  // Polling a long-running operation to its end.
  "zoneOperations.wait": ["compute.zoneOperations.get"],
  "regionOperations.wait": ["compute.regionOperations.get"],
  "globalOperations.wait": ["compute.globalOperations.get"],
  // Testing one's own permissions needs none.
  "instances.testIamPermissions": [],
  "disks.testIamPermissions": [],
  "snapshots.testIamPermissions": [],
  "addresses.testIamPermissions": [],
  "globalAddresses.testIamPermissions": [],
  // metrics(): Cloud Monitoring timeSeries.list.
  "timeSeries.list": ["monitoring.timeSeries.list"],
} as const satisfies Record<string, readonly string[]>;

export type Call = keyof typeof CALL_PERMISSIONS;

const addressCalls = (ref: Pick<GcpRef, "region">) => (ref.region ? "addresses" : "globalAddresses");
const opsOf = (ref: Pick<GcpRef, "zone" | "region">): Call =>
  ref.zone ? "zoneOperations.wait" : ref.region ? "regionOperations.wait" : "globalOperations.wait";

/** The API calls `operation` on `ref` can make (the most it makes: detaching and attaching included). */
export function callsFor(operation: Operation, ref: GcpRef): Call[] {
  const wait = opsOf(ref);
  switch (operation.op) {
    case "stop_vm":
      return ["instances.stop", wait];
    case "start_vm":
      return ["instances.start", wait];
    case "resize_vm":
      return ["instances.setMachineType", wait];
    case "snapshot_disk":
      return ["disks.get", "instances.get", "disks.createSnapshot", wait];
    case "delete_disk":
      // attachDisk: a refused delete re-attaches the disk it detached.
      return [
        "disks.get",
        "instances.get",
        "instances.detachDisk",
        "disks.delete",
        "instances.attachDisk",
        wait,
      ];
    case "restore_disk":
      return [
        "snapshots.get",
        "disks.insert",
        ...(operation.attachTo ? (["instances.attachDisk"] as const) : []),
        wait,
      ];
    case "change_disk_type":
      return [];
    case "delete_snapshot":
      return ["snapshots.delete", wait];
    case "release_address":
      return [`${addressCalls(ref)}.get`, `${addressCalls(ref)}.delete`, wait];
    case "set_tags":
    case "remove_tags": {
      const c = ref.collection === "addresses" ? addressCalls(ref) : ref.collection;
      return [`${c}.get`, `${c}.setLabels`, wait];
    }
    case "put_lifecycle_rule":
    case "delete_lifecycle_rule":
      return []; // refused before any call (an S3 operation)
  }
}

/** The permissions a list of calls needs, sorted, without repeats. */
export const permissionsFor = (calls: readonly Call[]): string[] =>
  [...new Set(calls.flatMap((c) => CALL_PERMISSIONS[c]))].sort();
