/**
 * Each Operation as EC2 calls, waiting for the change to finish (EC2 waiters, or polling where EC2
 * has none), with the sandbox's rules (actions/providers/sandbox/operations.ts): a VM's type
 * changes only while stopped (EC2 answers IncorrectInstanceState otherwise); a volume attached to
 * a running instance is not deleted, one attached to a stopped instance is detached first (the
 * Operation set has no detach step); an associated address is not released.
 *
 * Idempotency: CreateVolume takes a ClientToken (the step's token, as EC2 documents). CreateSnapshot
 * takes none, so the snapshot carries the token as a tag and a re-sent step finds it instead of
 * taking a second one. The other calls are idempotent by state (stopping a stopped instance changes
 * nothing) or are skipped when the resource already shows their result.
 */
import {
  AttachVolumeCommand,
  CreateSnapshotCommand,
  CreateTagsCommand,
  CreateVolumeCommand,
  DeleteSnapshotCommand,
  DeleteTagsCommand,
  DeleteVolumeCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesModificationsCommand,
  DetachVolumeCommand,
  ModifyInstanceAttributeCommand,
  ModifyVolumeCommand,
  ReleaseAddressCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  type Tag,
  type VolumeType,
  waitUntilInstanceRunning,
  waitUntilInstanceStopped,
  waitUntilSnapshotCompleted,
  waitUntilVolumeAvailable,
  waitUntilVolumeDeleted,
  waitUntilVolumeInUse,
} from "@aws-sdk/client-ec2";
import { createHash } from "node:crypto";
import { type Operation, type OperationResult, ProviderError } from "../adapter.ts";
import { call, type Ec2Clients } from "./client.ts";
import {
  attachedInstances,
  readAddress,
  readInstance,
  readSnapshot,
  readVolume,
  tagsOf,
} from "./describe.ts";
import { type Ec2Ref, ec2Ref, snapshotArn } from "./ids.ts";

/** Tags the adapter writes on a snapshot, so the step's token finds it and the undo knows where the disk was. */
export const TAG = {
  token: "cco:idempotency-token",
  volume: "cco:source-volume",
  zone: "cco:availability-zone",
  type: "cco:volume-type",
  device: "cco:device",
  restoredFrom: "cco:restored-from",
} as const;

const OWN_TAGS = new Set<string>(Object.values(TAG));
/** EC2 allows 50 tags per resource; aws: keys are reserved and cannot be written. */
const copyable = (tags: Record<string, string>, room: number): Tag[] =>
  Object.entries(tags)
    .filter(([k]) => !k.toLowerCase().startsWith("aws:") && !OWN_TAGS.has(k))
    .slice(0, room)
    .map(([Key, Value]) => ({ Key, Value }));

/** EC2's ClientToken is at most 64 ASCII characters: a longer token is replaced by its hash. */
export const clientToken = (token: string) =>
  token.length <= 64 ? token : createHash("sha256").update(token).digest("hex");

const requestId = (out: { $metadata: { requestId?: string } }) => out.$metadata.requestId ?? "";

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new ProviderError("not_found", `${what} does not exist`);
  return value;
}

export async function perform(
  clients: Ec2Clients,
  resourceId: string,
  operation: Operation,
  token: string,
): Promise<OperationResult> {
  const ref = ec2Ref(resourceId);
  const ec2 = clients.get(ref.region);
  const waiter = clients.waiter(ref.region);
  switch (operation.op) {
    case "stop_vm": {
      const out = await call(`StopInstances ${ref.id}`, () =>
        ec2.send(new StopInstancesCommand({ InstanceIds: [ref.id] })),
      );
      await call(`waiting for ${ref.id} to stop`, () =>
        waitUntilInstanceStopped(waiter, { InstanceIds: [ref.id] }),
      );
      return { requestId: requestId(out) };
    }
    case "start_vm": {
      const out = await call(`StartInstances ${ref.id}`, () =>
        ec2.send(new StartInstancesCommand({ InstanceIds: [ref.id] })),
      );
      await call(`waiting for ${ref.id} to run`, () =>
        waitUntilInstanceRunning(waiter, { InstanceIds: [ref.id] }),
      );
      return { requestId: requestId(out) };
    }
    case "resize_vm": {
      const { instance } = await readInstance(clients, ref);
      need(instance, `the instance '${ref.id}'`);
      if (instance!.InstanceType === operation.size) return { requestId: `unchanged:${ref.id}` };
      const out = await call(`ModifyInstanceAttribute ${ref.id} InstanceType=${operation.size}`, () =>
        ec2.send(
          new ModifyInstanceAttributeCommand({ InstanceId: ref.id, InstanceType: { Value: operation.size } }),
        ),
      );
      return { requestId: requestId(out) };
    }
    case "snapshot_disk":
      return snapshotDisk(clients, ref, operation.snapshotName, token);
    case "delete_disk":
      return deleteDisk(clients, ref);
    case "restore_disk":
      return restoreDisk(clients, operation, token);
    case "change_disk_type":
      return changeDiskType(clients, ref, operation.type);
    case "delete_snapshot": {
      const out = await call(`DeleteSnapshot ${ref.id}`, () =>
        ec2.send(new DeleteSnapshotCommand({ SnapshotId: ref.id })),
      );
      return { requestId: requestId(out) };
    }
    case "release_address": {
      const address = need(await readAddress(clients, ref), `the address '${ref.id}'`);
      if (address.AssociationId)
        throw new ProviderError(
          "conflict",
          `address ${ref.id} is associated with ${address.InstanceId ?? address.NetworkInterfaceId}; disassociate it before releasing it`,
        );
      const out = await call(`ReleaseAddress ${address.AllocationId}`, () =>
        ec2.send(new ReleaseAddressCommand({ AllocationId: address.AllocationId! })),
      );
      return { requestId: requestId(out) };
    }
    case "set_tags": {
      const id = await taggable(clients, ref);
      const out = await call(`CreateTags ${id}`, () =>
        ec2.send(
          new CreateTagsCommand({
            Resources: [id],
            Tags: Object.entries(operation.tags).map(([Key, Value]) => ({ Key, Value })),
          }),
        ),
      );
      return { requestId: requestId(out) };
    }
    case "remove_tags": {
      const id = await taggable(clients, ref);
      const out = await call(`DeleteTags ${id}`, () =>
        ec2.send(new DeleteTagsCommand({ Resources: [id], Tags: operation.keys.map((Key) => ({ Key })) })),
      );
      return { requestId: requestId(out) };
    }
    case "put_lifecycle_rule":
    case "delete_lifecycle_rule":
      // A bucket's: the adapter sends these to S3 (s3.ts).
      throw new ProviderError("invalid", `${operation.op} applies to a bucket, not '${resourceId}'`);
  }
}

/** EC2 tags an Elastic IP by its allocation id, not its address. */
async function taggable(clients: Ec2Clients, ref: Ec2Ref): Promise<string> {
  if (ref.kind !== "ip" || ref.id.startsWith("eipalloc-")) return ref.id;
  return need(await readAddress(clients, ref), `the address '${ref.id}'`).AllocationId!;
}

async function snapshotDisk(clients: Ec2Clients, ref: Ec2Ref, name: string, token: string) {
  const ec2 = clients.get(ref.region);
  const region = ref.region ?? clients.settings.region;
  const waitCompleted = (id: string) =>
    call(`waiting for snapshot ${id}`, () =>
      waitUntilSnapshotCompleted(clients.waiter(ref.region), { SnapshotIds: [id] }),
    );
  // A re-sent step (after a timeout or a crash) finds the snapshot its first send took.
  const found = await call(`DescribeSnapshots ${TAG.token}=${token}`, () =>
    ec2.send(
      new DescribeSnapshotsCommand({
        OwnerIds: ["self"],
        Filters: [{ Name: `tag:${TAG.token}`, Values: [token] }],
      }),
    ),
  );
  const earlier = found.Snapshots?.find((s) => s.SnapshotId && s.State !== "error");
  if (earlier) {
    await waitCompleted(earlier.SnapshotId!);
    return {
      requestId: requestId(found),
      output: { snapshotId: snapshotArn(region, earlier.OwnerId, earlier.SnapshotId!) },
    };
  }
  const volume = need(await readVolume(clients, ref), `the volume '${ref.id}'`);
  const attachment = volume.Attachments?.find((a) => a.State === "attached");
  const own: Tag[] = [
    { Key: "Name", Value: name },
    { Key: TAG.token, Value: token },
    { Key: TAG.volume, Value: ref.id },
    { Key: TAG.zone, Value: volume.AvailabilityZone ?? "" },
    { Key: TAG.type, Value: volume.VolumeType ?? "" },
    ...(attachment?.Device ? [{ Key: TAG.device, Value: attachment.Device }] : []),
  ];
  const tags = { ...tagsOf(volume.Tags) };
  delete tags.Name;
  const out = await call(`CreateSnapshot ${ref.id}`, () =>
    ec2.send(
      new CreateSnapshotCommand({
        VolumeId: ref.id,
        Description: name,
        TagSpecifications: [{ ResourceType: "snapshot", Tags: [...own, ...copyable(tags, 50 - own.length)] }],
      }),
    ),
  );
  await waitCompleted(out.SnapshotId!);
  return {
    requestId: requestId(out),
    output: { snapshotId: snapshotArn(region, out.OwnerId, out.SnapshotId!) },
  };
}

async function deleteDisk(clients: Ec2Clients, ref: Ec2Ref) {
  const ec2 = clients.get(ref.region);
  const waiter = clients.waiter(ref.region);
  const volume = need(await readVolume(clients, ref), `the volume '${ref.id}'`);
  for (const instanceId of attachedInstances(volume)) {
    const { instance } = await readInstance(clients, {
      kind: "vm",
      id: instanceId,
      ...(ref.region ? { region: ref.region } : {}),
    });
    const state = instance?.State?.Name;
    if (instance && state !== "stopped" && state !== "terminated")
      throw new ProviderError(
        "conflict",
        `volume ${ref.id} is attached to ${state} instance ${instanceId}; stop the instance before deleting it`,
      );
    await call(`DetachVolume ${ref.id} from ${instanceId}`, () =>
      ec2.send(new DetachVolumeCommand({ VolumeId: ref.id, InstanceId: instanceId })),
    );
    await call(`waiting for ${ref.id} to detach`, () =>
      waitUntilVolumeAvailable(waiter, { VolumeIds: [ref.id] }),
    );
  }
  const out = await call(`DeleteVolume ${ref.id}`, () =>
    ec2.send(new DeleteVolumeCommand({ VolumeId: ref.id })),
  );
  await call(`waiting for ${ref.id} to be deleted`, () =>
    waitUntilVolumeDeleted(waiter, { VolumeIds: [ref.id] }),
  );
  return { requestId: requestId(out) };
}

async function restoreDisk(
  clients: Ec2Clients,
  operation: Extract<Operation, { op: "restore_disk" }>,
  token: string,
): Promise<OperationResult> {
  const snap = ec2Ref(operation.snapshotId);
  const region = snap.region;
  const ec2 = clients.get(region);
  const waiter = clients.waiter(region);
  const snapshot = need(await readSnapshot(clients, snap), `the snapshot '${operation.snapshotId}'`);
  const tags = tagsOf(snapshot.Tags);
  let zone = tags[TAG.zone];
  if (!zone && operation.attachTo) {
    const { instance } = await readInstance(clients, {
      ...ec2Ref(operation.attachTo),
      ...(region ? { region } : {}),
    });
    zone = instance?.Placement?.AvailabilityZone;
  }
  if (!zone)
    throw new ProviderError(
      "invalid",
      `snapshot ${snap.id} does not say its availability zone (${TAG.zone}) and no instance is named`,
    );
  const type = operation.size ?? tags[TAG.type];
  // The same token returns the volume the first send created (EC2 ClientToken), never a second one.
  const created = await call(`CreateVolume from ${snap.id}`, () =>
    ec2.send(
      new CreateVolumeCommand({
        SnapshotId: snap.id,
        AvailabilityZone: zone,
        ...(type ? { VolumeType: type as VolumeType } : {}),
        ClientToken: clientToken(token),
        TagSpecifications: [
          {
            ResourceType: "volume",
            Tags: [
              { Key: TAG.restoredFrom, Value: snap.id },
              ...copyable({ ...tags, Name: tags.Name ?? "" }, 49),
            ].filter((t) => t.Key !== "Name" || t.Value),
          },
        ],
      }),
    ),
  );
  const volumeId = created.VolumeId!;
  const vol: Ec2Ref = { kind: "disk", id: volumeId, ...(region ? { region } : {}) };
  if (operation.attachTo) {
    const instanceId = ec2Ref(operation.attachTo).id;
    const now = need(await readVolume(clients, vol), `the volume '${volumeId}'`);
    if (!attachedInstances(now).includes(instanceId)) {
      await call(`waiting for ${volumeId} to be available`, () =>
        waitUntilVolumeAvailable(waiter, { VolumeIds: [volumeId] }),
      );
      await call(`AttachVolume ${volumeId} to ${instanceId}`, () =>
        ec2.send(
          new AttachVolumeCommand({
            VolumeId: volumeId,
            InstanceId: instanceId,
            Device: tags[TAG.device] ?? "/dev/sdf",
          }),
        ),
      );
    }
    await call(`waiting for ${volumeId} to attach`, () =>
      waitUntilVolumeInUse(waiter, { VolumeIds: [volumeId] }),
    );
  } else {
    await call(`waiting for ${volumeId} to be available`, () =>
      waitUntilVolumeAvailable(waiter, { VolumeIds: [volumeId] }),
    );
  }
  return { requestId: requestId(created), output: { resourceId: volumeId } };
}

/** ModifyVolume, then polled until the modification is optimizing or completed (EC2 has no waiter for it). */
async function changeDiskType(clients: Ec2Clients, ref: Ec2Ref, type: string): Promise<OperationResult> {
  const ec2 = clients.get(ref.region);
  const volume = need(await readVolume(clients, ref), `the volume '${ref.id}'`);
  let id = `unchanged:${ref.id}`;
  if (volume.VolumeType !== type) {
    try {
      const out = await call(`ModifyVolume ${ref.id} VolumeType=${type}`, () =>
        ec2.send(new ModifyVolumeCommand({ VolumeId: ref.id, VolumeType: type as VolumeType })),
      );
      id = requestId(out);
    } catch (error) {
      // A modification already under way (a re-sent step): wait for it below if it is ours.
      if (!(error instanceof ProviderError && error.code === "conflict")) throw error;
    }
  }
  const { pollSeconds, waitSeconds } = clients.settings;
  const deadline = Date.now() + waitSeconds * 1000;
  for (let delay = pollSeconds * 1000; ; delay = Math.min(delay * 2, pollSeconds * 4000)) {
    const out = await call(`DescribeVolumesModifications ${ref.id}`, () =>
      ec2.send(new DescribeVolumesModificationsCommand({ VolumeIds: [ref.id] })),
    );
    const latest = (out.VolumesModifications ?? [])
      .filter((m) => m.VolumeId === ref.id)
      .sort((a, b) => (b.StartTime?.getTime() ?? 0) - (a.StartTime?.getTime() ?? 0))[0];
    if (!latest || latest.TargetVolumeType !== type) {
      if (volume.VolumeType === type && !latest) return { requestId: id };
      throw new ProviderError("conflict", `volume ${ref.id}: no modification to ${type} is under way`);
    }
    if (latest.ModificationState === "optimizing" || latest.ModificationState === "completed")
      return { requestId: id };
    if (latest.ModificationState === "failed")
      throw new ProviderError(
        "conflict",
        `volume ${ref.id}: the modification to ${type} failed: ${latest.StatusMessage ?? ""}`,
      );
    if (Date.now() + delay > deadline)
      throw new ProviderError(
        "timeout",
        `volume ${ref.id} still ${latest.ModificationState} after ${waitSeconds} s`,
      );
    await new Promise((r) => setTimeout(r, delay));
  }
}
