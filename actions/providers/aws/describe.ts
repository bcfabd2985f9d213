/**
 * A resource's real state, read from EC2 and put in the sandbox's vocabulary (the kinds'
 * startStates and after() compare against it): VMs running | stopped (or EC2's pending,
 * stopping), disks in-use | available with their type and GB, snapshots completed | pending,
 * addresses associated | idle. Terminated instances, deleted volumes and anything EC2 no longer
 * knows read as exists: false.
 */
import {
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  type Instance,
  type Tag,
  type Volume,
} from "@aws-sdk/client-ec2";
import { ProviderError, type ResourceState } from "../adapter.ts";
import { call, type Ec2Clients } from "./client.ts";
import { type Ec2Ref, ec2Ref } from "./ids.ts";

export const tagsOf = (tags: Tag[] | undefined): Record<string, string> =>
  Object.fromEntries((tags ?? []).filter((t) => t.Key).map((t) => [t.Key!, t.Value ?? ""]));

/** Attachments that hold the volume (attaching counts: the volume is no longer free). */
export const attachedInstances = (volume: Volume): string[] =>
  (volume.Attachments ?? [])
    .filter((a) => a.InstanceId && (a.State === "attached" || a.State === "attaching"))
    .map((a) => a.InstanceId!);

/** Read one resource; EC2's NotFound codes become `undefined`. */
async function orMissing<T>(what: string, work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call(what, work);
  } catch (error) {
    if (error instanceof ProviderError && error.code === "not_found") return undefined;
    throw error;
  }
}

export async function readInstance(
  clients: Ec2Clients,
  ref: Ec2Ref,
): Promise<{ instance?: Instance; owner?: string }> {
  const out = await orMissing(`DescribeInstances ${ref.id}`, () =>
    clients.get(ref.region).send(new DescribeInstancesCommand({ InstanceIds: [ref.id] })),
  );
  const reservation = out?.Reservations?.find((r) => r.Instances?.some((i) => i.InstanceId === ref.id));
  const instance = reservation?.Instances?.find((i) => i.InstanceId === ref.id);
  return {
    ...(instance ? { instance } : {}),
    ...(reservation?.OwnerId ? { owner: reservation.OwnerId } : {}),
  };
}

export async function readVolume(clients: Ec2Clients, ref: Ec2Ref): Promise<Volume | undefined> {
  const out = await orMissing(`DescribeVolumes ${ref.id}`, () =>
    clients.get(ref.region).send(new DescribeVolumesCommand({ VolumeIds: [ref.id] })),
  );
  return out?.Volumes?.find((v) => v.VolumeId === ref.id);
}

export async function readSnapshot(clients: Ec2Clients, ref: Ec2Ref) {
  const out = await orMissing(`DescribeSnapshots ${ref.id}`, () =>
    clients.get(ref.region).send(new DescribeSnapshotsCommand({ SnapshotIds: [ref.id] })),
  );
  return out?.Snapshots?.find((s) => s.SnapshotId === ref.id);
}

export async function readAddress(clients: Ec2Clients, ref: Ec2Ref) {
  const byAllocation = ref.id.startsWith("eipalloc-");
  const out = await orMissing(`DescribeAddresses ${ref.id}`, () =>
    clients
      .get(ref.region)
      .send(
        new DescribeAddressesCommand(byAllocation ? { AllocationIds: [ref.id] } : { PublicIps: [ref.id] }),
      ),
  );
  return out?.Addresses?.find((a) => (byAllocation ? a.AllocationId : a.PublicIp) === ref.id);
}

export async function describeResource(clients: Ec2Clients, resourceId: string): Promise<ResourceState> {
  const ref = ec2Ref(resourceId);
  const region = ref.region ?? clients.settings.region;
  const base = { resourceId, provider: "aws" as const, kind: ref.kind, region };
  const gone = (status?: string): ResourceState => ({
    ...base,
    exists: false,
    ...(status ? { status } : {}),
    tags: {},
  });
  switch (ref.kind) {
    case "vm": {
      const { instance, owner } = await readInstance(clients, ref);
      const status = instance?.State?.Name;
      if (!instance || status === "terminated" || status === "shutting-down") return gone(status);
      return {
        ...base,
        exists: true,
        ...(status ? { status } : {}),
        ...(instance.InstanceType ? { size: instance.InstanceType } : {}),
        attachedTo: [],
        tags: tagsOf(instance.Tags),
        ...(owner ? { account: owner } : {}),
      };
    }
    case "disk": {
      const volume = await readVolume(clients, ref);
      if (!volume || volume.State === "deleting" || volume.State === "deleted") return gone(volume?.State);
      return {
        ...base,
        exists: true,
        ...(volume.State ? { status: volume.State } : {}),
        ...(volume.VolumeType ? { size: volume.VolumeType } : {}),
        ...(volume.Size !== undefined ? { sizeGb: volume.Size } : {}),
        attachedTo: attachedInstances(volume),
        tags: tagsOf(volume.Tags),
      };
    }
    case "snapshot": {
      const snapshot = await readSnapshot(clients, ref);
      if (!snapshot) return gone();
      return {
        ...base,
        exists: true,
        ...(snapshot.State ? { status: snapshot.State } : {}),
        size: "snapshot",
        ...(snapshot.VolumeSize !== undefined ? { sizeGb: snapshot.VolumeSize } : {}),
        attachedTo: [],
        tags: tagsOf(snapshot.Tags),
        ...(snapshot.OwnerId ? { account: snapshot.OwnerId } : {}),
      };
    }
    case "ip": {
      const address = await readAddress(clients, ref);
      if (!address) return gone();
      const holder = address.InstanceId || address.NetworkInterfaceId;
      return {
        ...base,
        exists: true,
        status: address.AssociationId ? "associated" : "idle",
        attachedTo: address.AssociationId && holder ? [holder] : [],
        tags: tagsOf(address.Tags),
        ...(address.NetworkInterfaceOwnerId ? { account: address.NetworkInterfaceOwnerId } : {}),
      };
    }
  }
}
