/**
 * ARM resource ids (/subscriptions/{s}/resourceGroups/{g}/providers/{ns}/{type}/{name}): the
 * adapter's resource ids are these paths, compared case-insensitively as ARM does
 * (https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules).
 */
import { ProviderError, type ResourceKind } from "../adapter.ts";

export interface ArmId {
  id: string;
  subscription: string;
  resourceGroup: string;
  /** "virtualmachines", "disks", "snapshots", "publicipaddresses" (lower case). */
  type: string;
  name: string;
  kind: ResourceKind;
}

const TYPES: Record<string, ResourceKind> = {
  "microsoft.compute/virtualmachines": "vm",
  "microsoft.compute/disks": "disk",
  "microsoft.compute/snapshots": "snapshot",
  "microsoft.network/publicipaddresses": "ip",
};

const PATTERN = /^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/providers\/([^/]+\/[^/]+)\/([^/]+)$/i;

export function parseArmId(id: string): ArmId {
  const m = PATTERN.exec(id.trim());
  const kind = m ? TYPES[m[3]!.toLowerCase()] : undefined;
  if (!m || !kind) {
    throw new ProviderError(
      "invalid",
      `'${id}' is not the ARM id of a virtual machine, managed disk, snapshot or public IP address`,
    );
  }
  return {
    id,
    subscription: m[1]!,
    resourceGroup: m[2]!,
    type: m[3]!.split("/")[1]!.toLowerCase(),
    name: m[4]!,
    kind,
  };
}

export const groupScope = (id: ArmId) =>
  `/subscriptions/${id.subscription}/resourceGroups/${id.resourceGroup}`;

export const armId = (id: ArmId, type: string, name: string) => `${groupScope(id)}/providers/${type}/${name}`;

export const sameId = (a: string | undefined, b: string | undefined) =>
  (a ?? "").toLowerCase() === (b ?? "").toLowerCase();
