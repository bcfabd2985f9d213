/**
 * checkPermissions: the operation's first changing call sent with DryRun=true. EC2 answers
 * DryRunOperation when the caller may make it and UnauthorizedOperation when not, changing
 * nothing either way (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html).
 */
import {
  CreateSnapshotCommand,
  CreateTagsCommand,
  CreateVolumeCommand,
  DeleteSnapshotCommand,
  DeleteTagsCommand,
  DeleteVolumeCommand,
  type EC2Client,
  ModifyInstanceAttributeCommand,
  ModifyVolumeCommand,
  ReleaseAddressCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  type VolumeType,
} from "@aws-sdk/client-ec2";
import { type OperationRequest, ProviderError } from "../adapter.ts";
import type { Ec2Clients } from "./client.ts";
import { readAddress, readSnapshot, tagsOf } from "./describe.ts";
import { toProviderError } from "./errors.ts";
import { ec2Ref } from "./ids.ts";
import { TAG } from "./operations.ts";

// biome-ignore lint/suspicious/noExplicitAny: any EC2 command, sent only to read its DryRun answer
type AnyCommand = Parameters<EC2Client["send"]>[0] & any;

export async function dryRun(clients: Ec2Clients, request: OperationRequest): Promise<void> {
  const ref = ec2Ref(request.resourceId);
  const o = request.operation;
  const DryRun = true;
  let command: AnyCommand;
  switch (o.op) {
    case "stop_vm":
      command = new StopInstancesCommand({ InstanceIds: [ref.id], DryRun });
      break;
    case "start_vm":
      command = new StartInstancesCommand({ InstanceIds: [ref.id], DryRun });
      break;
    case "resize_vm":
      command = new ModifyInstanceAttributeCommand({
        InstanceId: ref.id,
        InstanceType: { Value: o.size },
        DryRun,
      });
      break;
    case "snapshot_disk":
      // With a tag, as the real call: creating tags on create is authorized as ec2:CreateTags too.
      command = new CreateSnapshotCommand({
        VolumeId: ref.id,
        TagSpecifications: [{ ResourceType: "snapshot", Tags: [{ Key: "Name", Value: o.snapshotName }] }],
        DryRun,
      });
      break;
    case "delete_disk":
      command = new DeleteVolumeCommand({ VolumeId: ref.id, DryRun });
      break;
    case "restore_disk": {
      const snap = ec2Ref(o.snapshotId);
      const snapshot = await readSnapshot(clients, snap);
      const zone = tagsOf(snapshot?.Tags)[TAG.zone] ?? `${clients.settings.region}a`;
      command = new CreateVolumeCommand({
        SnapshotId: snap.id,
        AvailabilityZone: zone,
        TagSpecifications: [{ ResourceType: "volume", Tags: [{ Key: TAG.restoredFrom, Value: snap.id }] }],
        DryRun,
      });
      break;
    }
    case "change_disk_type":
      command = new ModifyVolumeCommand({ VolumeId: ref.id, VolumeType: o.type as VolumeType, DryRun });
      break;
    case "delete_snapshot":
      command = new DeleteSnapshotCommand({ SnapshotId: ref.id, DryRun });
      break;
    case "release_address": {
      const address = await readAddress(clients, ref);
      if (!address?.AllocationId)
        throw new ProviderError("not_found", `the address '${ref.id}' does not exist`);
      command = new ReleaseAddressCommand({ AllocationId: address.AllocationId, DryRun });
      break;
    }
    case "set_tags":
      command = new CreateTagsCommand({
        Resources: [ref.id],
        Tags: Object.entries(o.tags).map(([Key, Value]) => ({ Key, Value })),
        DryRun,
      });
      break;
    case "remove_tags":
      command = new DeleteTagsCommand({ Resources: [ref.id], Tags: o.keys.map((Key) => ({ Key })), DryRun });
      break;
    case "put_lifecycle_rule":
    case "delete_lifecycle_rule":
      throw new ProviderError("invalid", `${o.op} applies to a bucket, not '${request.resourceId}'`);
  }
  try {
    await clients.get(ref.region).send(command);
  } catch (error) {
    if ((error as { name?: string }).name === "DryRunOperation") return;
    throw toProviderError(error, `${o.op} on ${request.resourceId} (DryRun)`);
  }
  // A success means the endpoint ignored DryRun and may have made the change: never trust it.
  throw new ProviderError("invalid", `${o.op} on ${request.resourceId}: the endpoint ignored DryRun`);
}
