/**
 * What each ARM call the adapter makes needs in Azure RBAC, and which calls each Operation makes,
 * so `cco actions policy` and the coverage test can check that a kind's declared permissions
 * (actions/kinds/*.ts permissions.azure) cover its steps, its undo and the reads around them.
 * Action names: https://learn.microsoft.com/azure/role-based-access-control/permissions/compute
 * and …/permissions/networking, …/permissions/management-and-governance, …/permissions/monitor.
 */
import type { Operation, ResourceKind } from "../adapter.ts";

export const CALL_PERMISSIONS = {
  "virtualMachines.get": "Microsoft.Compute/virtualMachines/read",
  "virtualMachines.deallocate": "Microsoft.Compute/virtualMachines/deallocate/action",
  "virtualMachines.start": "Microsoft.Compute/virtualMachines/start/action",
  "virtualMachines.update": "Microsoft.Compute/virtualMachines/write",
  "virtualMachines.listAvailableSizes": "Microsoft.Compute/virtualMachines/vmSizes/read",
  "disks.get": "Microsoft.Compute/disks/read",
  "disks.update": "Microsoft.Compute/disks/write",
  "disks.createOrUpdate": "Microsoft.Compute/disks/write",
  "disks.delete": "Microsoft.Compute/disks/delete",
  "snapshots.get": "Microsoft.Compute/snapshots/read",
  "snapshots.createOrUpdate": "Microsoft.Compute/snapshots/write",
  "snapshots.delete": "Microsoft.Compute/snapshots/delete",
  "publicIPAddresses.get": "Microsoft.Network/publicIPAddresses/read",
  "publicIPAddresses.delete": "Microsoft.Network/publicIPAddresses/delete",
  /** PATCH {scope}/providers/Microsoft.Resources/tags/default (Tags - Update At Scope). */
  "tags.updateAtScope": "Microsoft.Resources/tags/write",
  /** GET {scope}/providers/Microsoft.Authorization/permissions: checkPermissions itself. */
  "permissions.list": "Microsoft.Authorization/permissions/read",
  /** GET {resource}/providers/Microsoft.Insights/metrics (Metrics - List): metrics() for verification. */
  "metrics.list": "Microsoft.Insights/metrics/read",
} as const;

export type AzureCall = keyof typeof CALL_PERMISSIONS;

/**
 * The calls each operation may make (reads before writes). delete_disk reads the VM and updates
 * it only when the disk is attached (it is detached first); restore_disk only when attachTo is set.
 */
export const OPERATION_CALLS: Record<Operation["op"], readonly AzureCall[]> = {
  stop_vm: ["virtualMachines.deallocate"],
  start_vm: ["virtualMachines.start"],
  resize_vm: ["virtualMachines.listAvailableSizes", "virtualMachines.update"],
  snapshot_disk: ["disks.get", "snapshots.createOrUpdate"],
  delete_disk: ["disks.get", "virtualMachines.get", "virtualMachines.update", "disks.delete"],
  restore_disk: ["snapshots.get", "disks.createOrUpdate", "virtualMachines.get", "virtualMachines.update"],
  change_disk_type: ["disks.update"],
  delete_snapshot: ["snapshots.delete"],
  release_address: ["publicIPAddresses.get", "publicIPAddresses.delete"],
  set_tags: ["tags.updateAtScope"],
  remove_tags: ["tags.updateAtScope"],
  // S3 operations: refused before any call (Blob lifecycle management is not automated).
  put_lifecycle_rule: [],
  delete_lifecycle_rule: [],
};

/** describe() of each kind of resource. */
export const DESCRIBE_CALL: Record<Exclude<ResourceKind, "bucket">, AzureCall> = {
  vm: "virtualMachines.get",
  disk: "disks.get",
  snapshot: "snapshots.get",
  ip: "publicIPAddresses.get",
};

/** What metrics() calls: a kind verified by metrics needs it besides its steps' calls. */
export const METRICS_CALL: AzureCall = "metrics.list";

/** The RBAC actions an operation needs. */
export function permissionsFor(operation: Operation): string[] {
  return [...new Set(OPERATION_CALLS[operation.op].map((call) => CALL_PERMISSIONS[call]))];
}

/** One entry of the Permissions API's answer (actions and notActions may hold "*" wildcards). */
export interface PermissionEntry {
  actions?: string[];
  notActions?: string[];
}

const matches = (pattern: string, action: string) =>
  new RegExp(`^${pattern.split("*").map(literal).join(".*")}$`, "i").test(action);
const literal = (s: string) => s.replace(/[.+?^${}()|[\]\\/]/g, "\\$&");

/**
 * Whether the caller holds `action`: some role assignment's entry grants it in `actions` and does
 * not take it back in its own `notActions` (NotActions subtract within one role only:
 * https://learn.microsoft.com/azure/role-based-access-control/role-definitions#notactions).
 */
export function granted(entries: readonly PermissionEntry[], action: string): boolean {
  return entries.some(
    (e) =>
      (e.actions ?? []).some((p) => matches(p, action)) &&
      !(e.notActions ?? []).some((p) => matches(p, action)),
  );
}
