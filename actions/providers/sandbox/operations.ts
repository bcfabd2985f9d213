/**
 * Each operation's effect on the sandbox state, with the rules the real clouds enforce
 * (modelled on EC2: a VM's type changes only while it is stopped; an attached volume or an
 * associated address cannot be deleted or released). A refusal throws ProviderError saying
 * what was wrong; nothing changes then.
 */
import type { SandboxSettings } from "../../../core/sandbox-settings.ts";
import { type Operation, ProviderError, type ResourceKind } from "../adapter.ts";
import { catalogueKey } from "./catalogue.ts";
import { hexId } from "./faults.ts";
import { stoppedWord } from "./init.ts";
import { revise, type SandboxResource, type SandboxState } from "./state.ts";

export interface ApplyContext {
  state: SandboxState;
  provider: string;
  settings: SandboxSettings;
  seq: number;
  at: string;
}

const NOUN: Record<ResourceKind, string> = {
  vm: "instance",
  disk: "volume",
  snapshot: "snapshot",
  ip: "address",
  bucket: "bucket",
};

const KIND_OF_OP: Partial<Record<Operation["op"], ResourceKind>> = {
  stop_vm: "vm",
  start_vm: "vm",
  resize_vm: "vm",
  snapshot_disk: "disk",
  delete_disk: "disk",
  change_disk_type: "disk",
  delete_snapshot: "snapshot",
  release_address: "ip",
  put_lifecycle_rule: "bucket",
  delete_lifecycle_rule: "bucket",
};

/** How long each operation takes on the simulated clock (seconds), roughly as the clouds take. */
export const DURATION_S: Record<Operation["op"], number> = {
  stop_vm: 40,
  start_vm: 45,
  resize_vm: 5,
  snapshot_disk: 120,
  delete_disk: 5,
  restore_disk: 60,
  change_disk_type: 10,
  delete_snapshot: 2,
  release_address: 1,
  set_tags: 1,
  remove_tags: 1,
  put_lifecycle_rule: 1,
  delete_lifecycle_rule: 1,
};

/** The resource a request names, existing, of the kind the operation needs. */
export function target(
  state: SandboxState,
  provider: string,
  resourceId: string,
  op: Operation["op"],
): SandboxResource {
  const resource = state.resources[resourceId];
  const kind = KIND_OF_OP[op];
  if (!resource || resource.provider !== provider || !resource.exists) {
    const noun = kind ? NOUN[kind] : "resource";
    throw new ProviderError("not_found", `the ${noun} '${resourceId}' does not exist`);
  }
  if (kind && resource.kind !== kind) {
    throw new ProviderError(
      "invalid",
      `${op} applies to a ${NOUN[kind]}; '${resourceId}' is a ${NOUN[resource.kind]}`,
    );
  }
  return resource;
}

/** Apply `operation` to `resource`; returns the operation's output. */
export function apply(
  ctx: ApplyContext,
  resource: SandboxResource | undefined,
  operation: Operation,
): Record<string, string> | undefined {
  const { settings, at } = ctx;
  // Restoring names the disk it replaces, which is usually gone: the snapshot is what must exist.
  if (operation.op === "restore_disk")
    return { resourceId: restoreDisk(ctx, resource, operation).resourceId };
  if (!resource) throw new ProviderError("not_found", "no resource named");
  const id = resource.resourceId;
  switch (operation.op) {
    case "stop_vm":
      if (resource.status === "running") {
        resource.status = stoppedWord(resource.provider);
        revise(resource, at);
      }
      return undefined;
    case "start_vm":
      if (resource.status !== "running") {
        if (settings.capacity_errors.includes(resource.size)) throw capacity(resource.size, resource.region);
        resource.status = "running";
        revise(resource, at);
      }
      return undefined;
    case "resize_vm": {
      if (resource.size === operation.size) return undefined;
      const price = vmPrice(ctx, resource, operation.size);
      if (resource.status === "running") {
        throw new ProviderError("conflict", `instance ${id} is running; stop it before changing its type`);
      }
      if (settings.capacity_errors.includes(operation.size)) throw capacity(operation.size, resource.region);
      resource.size = operation.size;
      revise(resource, at, price);
      return undefined;
    }
    case "snapshot_disk": {
      const snapshot = createSnapshot(ctx, resource, operation.snapshotName);
      return { snapshotId: snapshot.resourceId };
    }
    case "delete_disk": {
      const vm = resource.attachedTo.map((v) => ctx.state.resources[v]).find((v) => v?.exists);
      // Deleting a disk of a stopped VM detaches it first (the Operation set has no detach step).
      if (vm && vm.status === "running") {
        throw new ProviderError(
          "conflict",
          `volume ${id} is attached to running instance ${vm.resourceId}; stop the instance before deleting it`,
        );
      }
      gone(resource, "deleted", at);
      return undefined;
    }
    case "change_disk_type": {
      if (resource.size === operation.type) {
        throw new ProviderError(
          "invalid",
          `volume ${id} is already ${operation.type}; the new type must differ`,
        );
      }
      const price =
        ctx.state.catalogue.storagePrices[
          catalogueKey(resource.provider, resource.region, resource.billing.currency, operation.type)
        ];
      if (
        !price ||
        ["snapshot", "ip", "egress_internet"].includes(operation.type) ||
        operation.type.startsWith("object_")
      ) {
        throw new ProviderError(
          "invalid",
          `volume type ${operation.type} is not offered in ${resource.region}`,
        );
      }
      resource.size = operation.type;
      revise(resource, at, price);
      return undefined;
    }
    case "delete_snapshot":
      gone(resource, "deleted", at);
      return undefined;
    case "release_address":
      if (resource.status === "associated") {
        throw new ProviderError(
          "conflict",
          `address ${id} is associated with ${resource.attachedTo.join(", ")}; disassociate it before releasing it`,
        );
      }
      gone(resource, "released", at);
      return undefined;
    case "set_tags":
      for (const key of Object.keys(operation.tags)) checkTagKey(resource.provider, key);
      Object.assign(resource.tags, operation.tags);
      if (Object.keys(resource.tags).length > 50) {
        throw new ProviderError("invalid", `${id} would carry more than 50 tags`);
      }
      return undefined;
    case "remove_tags":
      for (const key of operation.keys) {
        checkTagKey(resource.provider, key);
        delete resource.tags[key];
      }
      return undefined;
    case "put_lifecycle_rule":
      putLifecycleRule(resource, operation);
      return undefined;
    case "delete_lifecycle_rule":
      onlyS3(resource);
      // Removing a rule that is not there changes nothing (a re-sent undo step).
      resource.lifecycleRules = (resource.lifecycleRules ?? []).filter((r) => r.id !== operation.ruleId);
      return undefined;
  }
}

/**
 * S3's rules for a lifecycle configuration (PutBucketLifecycleConfiguration): at most 1,000 rules,
 * ids of 1 to 255 characters, a Transition to a storage class S3 has, and at least 30 days before
 * Standard-IA or One Zone-IA. The same id replaces its rule (the adapter writes the whole set).
 */
export const TRANSITION_CLASSES = [
  "STANDARD_IA",
  "ONEZONE_IA",
  "INTELLIGENT_TIERING",
  "GLACIER_IR",
  "GLACIER",
  "DEEP_ARCHIVE",
];

function putLifecycleRule(
  resource: SandboxResource,
  rule: Extract<Operation, { op: "put_lifecycle_rule" }>,
): void {
  onlyS3(resource);
  if (!rule.ruleId || rule.ruleId.length > 255)
    throw new ProviderError("invalid", "InvalidArgument: a rule's ID must be 1 to 255 characters");
  if (!TRANSITION_CLASSES.includes(rule.storageClass))
    throw new ProviderError(
      "invalid",
      `InvalidStorageClass: ${rule.storageClass} is not a transition storage class`,
    );
  if (!Number.isInteger(rule.transitionDays) || rule.transitionDays < 0)
    throw new ProviderError(
      "invalid",
      "InvalidArgument: 'Days' in Transition action must be a whole number of days",
    );
  if (["STANDARD_IA", "ONEZONE_IA"].includes(rule.storageClass) && rule.transitionDays < 30)
    throw new ProviderError(
      "invalid",
      `InvalidArgument: 'Days' in Transition action must be greater than or equal to 30 for storageClass '${rule.storageClass}'`,
    );
  const rules = (resource.lifecycleRules ?? []).filter((r) => r.id !== rule.ruleId);
  if (rules.length >= 1000)
    throw new ProviderError("invalid", "InvalidRequest: a lifecycle configuration has at most 1,000 rules");
  rules.push({ id: rule.ruleId, transitionDays: rule.transitionDays, storageClass: rule.storageClass });
  resource.lifecycleRules = rules;
}

/** Blob and GCS lifecycle management are not automated (as no adapter does them). */
function onlyS3(resource: SandboxResource): void {
  if (resource.provider !== "aws")
    throw new ProviderError(
      "invalid",
      `lifecycle rules are automated on AWS S3 only, not ${resource.provider}`,
    );
}

function capacity(size: string, region: string): ProviderError {
  return new ProviderError(
    "capacity",
    `InsufficientInstanceCapacity: not enough ${size} capacity in ${region}`,
  );
}

function vmPrice(ctx: ApplyContext, resource: SandboxResource, size: string): string {
  const offered = ctx.state.catalogue.vmSizes[`${resource.provider}|${size}`];
  const price =
    ctx.state.catalogue.vmPrices[
      catalogueKey(resource.provider, resource.region, resource.billing.currency, size)
    ];
  if (!offered || !price) {
    throw new ProviderError("invalid", `instance type ${size} is not offered in ${resource.region}`);
  }
  return price;
}

function checkTagKey(provider: string, key: string): void {
  if (!key || key.length > 128)
    throw new ProviderError("invalid", `tag key '${key}' must be 1 to 128 characters`);
  if (provider === "aws" && key.toLowerCase().startsWith("aws:")) {
    throw new ProviderError("invalid", `tag key '${key}': the aws: prefix is reserved`);
  }
}

function gone(resource: SandboxResource, status: string, at: string): void {
  resource.exists = false;
  resource.status = status;
  resource.attachedTo = [];
  revise(resource, at);
}

/** An id in the provider's notation for a resource the sandbox creates (a snapshot, a restored disk). */
function newId(ctx: ApplyContext, like: SandboxResource, kind: "disk" | "snapshot", name: string): string {
  const hex = hexId(ctx.state.seed, ctx.seq, kind, 16);
  const leaf = `${name}-${hex.slice(0, 6)}`.toLowerCase().replace(/[^a-z0-9-]/g, "-");
  switch (like.provider) {
    case "aws":
      return kind === "disk" ? `vol-0${hex}` : `arn:aws:ec2:${like.region}::snapshot/snap-0${hex}`;
    case "azure": {
      const group = like.resourceId.split("/providers/")[0]!.toLowerCase();
      return `${group}/providers/microsoft.compute/${kind === "disk" ? "disks" : "snapshots"}/${leaf}`;
    }
    case "gcp": {
      const zone = like.billing.zone ?? `${like.region}-a`;
      return kind === "disk"
        ? `//compute.googleapis.com/projects/${like.account}/zones/${zone}/disks/${leaf}`
        : `//compute.googleapis.com/projects/${like.account}/global/snapshots/${leaf}`;
    }
    default:
      return `ocid1.${kind === "disk" ? "volume" : "volumebackup"}.oc1.iad.aaaaaaaa${hex}`;
  }
}

function createSnapshot(ctx: ApplyContext, disk: SandboxResource, name: string): SandboxResource {
  const resourceId = newId(ctx, disk, "snapshot", name);
  const price =
    ctx.state.catalogue.storagePrices[
      catalogueKey(disk.provider, disk.region, disk.billing.currency, "snapshot")
    ] ?? "0";
  const snapshot: SandboxResource = {
    resourceId,
    provider: disk.provider,
    kind: "snapshot",
    exists: true,
    status: "available",
    size: "snapshot",
    ...(disk.sizeGb !== undefined ? { sizeGb: disk.sizeGb } : {}),
    attachedTo: [],
    tags: { ...disk.tags },
    region: disk.region,
    account: disk.account,
    createdAt: ctx.at,
    sourceId: disk.resourceId,
    diskType: disk.size,
    billing: {
      ...disk.billing,
      zone: null,
      resourceName: name,
      unit: "GB-Mo",
      unitPrice: price,
      commitmentId: null,
      commitmentType: null,
      commitmentRate: null,
    },
    history: [],
  };
  revise(snapshot, ctx.at, price);
  ctx.state.resources[resourceId] = snapshot;
  return snapshot;
}

function restoreDisk(
  ctx: ApplyContext,
  requested: SandboxResource | undefined,
  operation: Extract<Operation, { op: "restore_disk" }>,
): SandboxResource {
  const snapshot = ctx.state.resources[operation.snapshotId];
  if (!snapshot?.exists || snapshot.kind !== "snapshot" || snapshot.provider !== ctx.provider) {
    throw new ProviderError("not_found", `the snapshot '${operation.snapshotId}' does not exist`);
  }
  const source = snapshot.sourceId ? ctx.state.resources[snapshot.sourceId] : undefined;
  const like = requested ?? source ?? snapshot;
  const type = operation.size ?? snapshot.diskType ?? source?.size ?? "";
  const price =
    ctx.state.catalogue.storagePrices[catalogueKey(like.provider, like.region, like.billing.currency, type)];
  if (!price) throw new ProviderError("invalid", `volume type ${type} is not offered in ${like.region}`);
  let vm: SandboxResource | undefined;
  if (operation.attachTo) {
    vm = ctx.state.resources[operation.attachTo];
    if (!vm?.exists || vm.kind !== "vm") {
      throw new ProviderError("not_found", `the instance '${operation.attachTo}' does not exist`);
    }
  }
  const name = source?.billing.resourceName ?? like.billing.resourceName ?? "restored";
  const resourceId = newId(ctx, like, "disk", `${name}-restored`);
  const disk: SandboxResource = {
    resourceId,
    provider: like.provider,
    kind: "disk",
    exists: true,
    status: vm ? "in-use" : "available",
    size: type,
    ...(snapshot.sizeGb !== undefined ? { sizeGb: snapshot.sizeGb } : {}),
    attachedTo: vm ? [vm.resourceId] : [],
    tags: { ...snapshot.tags },
    region: like.region,
    account: like.account,
    createdAt: ctx.at,
    sourceId: snapshot.resourceId,
    billing: {
      ...(source ?? like).billing,
      resourceName: `${name}-restored`,
      unit: "GB-Mo",
      unitPrice: price,
      commitmentId: null,
      commitmentType: null,
      commitmentRate: null,
    },
    history: [],
  };
  revise(disk, ctx.at, price);
  ctx.state.resources[resourceId] = disk;
  return disk;
}
