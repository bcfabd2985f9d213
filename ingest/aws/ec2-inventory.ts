/**
 * ec2inventory://<region>[?account=<id>]: what exists in one EC2 region now, from DescribeInstances,
 * DescribeVolumes, DescribeSnapshots (OwnerIds self) and DescribeAddresses, written as one
 * snapshot in the inventory layout (docs/ingest.md "Inventory files"). EC2 is read one region at
 * a time, so the snapshot's scope is the region: it restates only that region's previous one.
 *
 * Ids as the CUR names them: instances and volumes by id, snapshots by ARN
 * (arn:aws:ec2:<region>:<account>:snapshot/snap-…), Elastic IPs by their public address (CUR's
 * line_item_resource_id for address charges; the allocation id is one DescribeAddresses call away).
 * The account is the owner EC2 reports (reservations, snapshots, addresses), or ?account=.
 * Endpoint: sources.ec2.endpoint in the config, else the SDK's own (AWS_ENDPOINT_URL_EC2).
 */
import path from "node:path";
import type { EC2Client } from "@aws-sdk/client-ec2";
import { InputError, UsageError } from "../../core/errors.ts";
import type { InventoryRow } from "../inventory/layout.ts";
import { snapshotNow, tagsJson, writeInventorySnapshot } from "../inventory/write.ts";
import type { RemoteSource } from "../remote/source.ts";

/** Instances that still exist: a terminated instance stays listed for a while, but is gone. */
const LIVE_INSTANCE_STATES = ["pending", "running", "shutting-down", "stopping", "stopped"];

/** EC2 writes this volume id on snapshots copied or made from an image: no real volume. */
const NO_VOLUME = "vol-ffffffff";

const iso = (d: Date | undefined) => (d ? `${d.toISOString().slice(0, 19)}Z` : undefined);

export const ec2InventorySource: RemoteSource = {
  forms: ["ec2inventory://<region>[?account=<id>]"],
  description:
    "Amazon EC2 inventory of one region (instances, volumes, snapshots, Elastic IPs) into the inventory layout",
  matches: (uri) => uri.startsWith("ec2inventory://"),
  async fetch(uri, { cacheDir, config, progress }) {
    const url = new URL(uri);
    const region = url.host;
    if (!region) throw new UsageError(`${uri}: name the region, e.g. ec2inventory://us-east-1`);
    const {
      EC2Client,
      DescribeAddressesCommand,
      paginateDescribeInstances,
      paginateDescribeSnapshots,
      paginateDescribeVolumes,
    } = await import("@aws-sdk/client-ec2");
    const endpoint = config.sources.ec2.endpoint;
    const client: EC2Client = new EC2Client({ region, ...(endpoint ? { endpoint } : {}) });
    const at = snapshotNow();
    const owners = new Set<string>();
    const rows: (InventoryRow & { resource_id: string })[] = [];
    const snapshotArns: { row: InventoryRow; snapshotId: string; owner?: string }[] = [];
    const volumeSources: { row: InventoryRow; snapshotId: string }[] = [];
    const base = { provider: "aws", region, source: "ec2", scope: region } as const;
    try {
      await progress.step(`Reading the EC2 inventory of ${region}`, async (tick) => {
        for await (const page of paginateDescribeInstances(
          { client, pageSize: 1000 },
          { Filters: [{ Name: "instance-state-name", Values: LIVE_INSTANCE_STATES }] },
        )) {
          for (const reservation of page.Reservations ?? []) {
            if (reservation.OwnerId) owners.add(reservation.OwnerId);
            for (const instance of reservation.Instances ?? []) {
              if (!instance.InstanceId) continue;
              // EC2 keeps no creation time: the root volume's attachment is when the instance was made.
              const root = instance.BlockDeviceMappings?.find(
                (b) => b.DeviceName === instance.RootDeviceName,
              );
              rows.push({
                ...base,
                resource_id: instance.InstanceId,
                resource_type: "virtual_machine",
                state: instance.State?.Name,
                size: instance.InstanceType,
                created_at: iso(root?.Ebs?.AttachTime ?? instance.LaunchTime),
                source_id: instance.ImageId,
                tags: tagsJson(instance.Tags),
              });
            }
          }
        }
        tick(1, 4);
        for await (const page of paginateDescribeVolumes({ client, pageSize: 500 }, {})) {
          for (const volume of page.Volumes ?? []) {
            if (!volume.VolumeId) continue;
            const row = {
              ...base,
              resource_id: volume.VolumeId,
              resource_type: "volume",
              state: volume.State,
              attached_to: volume.Attachments?.find((a) => a.InstanceId)?.InstanceId,
              size: volume.VolumeType,
              size_gb: volume.Size,
              created_at: iso(volume.CreateTime),
              tags: tagsJson(volume.Tags),
            };
            rows.push(row);
            if (volume.SnapshotId) volumeSources.push({ row, snapshotId: volume.SnapshotId });
          }
        }
        tick(2, 4);
        for await (const page of paginateDescribeSnapshots(
          { client, pageSize: 1000 },
          { OwnerIds: ["self"] },
        )) {
          for (const snapshot of page.Snapshots ?? []) {
            if (!snapshot.SnapshotId) continue;
            if (snapshot.OwnerId) owners.add(snapshot.OwnerId);
            const row = {
              ...base,
              resource_id: snapshot.SnapshotId,
              resource_type: "snapshot",
              state: snapshot.State,
              size: snapshot.StorageTier,
              size_gb: snapshot.VolumeSize,
              created_at: iso(snapshot.StartTime),
              source_id: snapshot.VolumeId && snapshot.VolumeId !== NO_VOLUME ? snapshot.VolumeId : undefined,
              tags: tagsJson(snapshot.Tags),
            };
            rows.push(row);
            snapshotArns.push({ row, snapshotId: snapshot.SnapshotId, owner: snapshot.OwnerId });
          }
        }
        tick(3, 4);
        // DescribeAddresses answers every address of the region at once (it has no pages).
        const addresses = await client.send(new DescribeAddressesCommand({}));
        for (const address of addresses.Addresses ?? []) {
          if (!address.PublicIp) continue;
          if (address.NetworkInterfaceOwnerId) owners.add(address.NetworkInterfaceOwnerId);
          const associated = Boolean(
            address.AssociationId || address.InstanceId || address.NetworkInterfaceId,
          );
          rows.push({
            ...base,
            resource_id: address.PublicIp,
            resource_type: "public_ip",
            state: associated ? "associated" : "unassociated",
            // The instance, or the network interface of what is not one (a NAT gateway, a load balancer).
            attached_to: address.InstanceId || address.NetworkInterfaceId || undefined,
            tags: tagsJson(address.Tags),
          });
        }
        tick(4, 4);
      });
    } catch (error) {
      throw new InputError(
        uri,
        `cannot read the EC2 inventory: ${(error as Error).name}: ${(error as Error).message.split("\n")[0]}`,
      );
    } finally {
      client.destroy();
    }
    const account = url.searchParams.get("account") ?? [...owners].sort()[0];
    if (!account && rows.length)
      throw new UsageError(
        `${uri}: EC2 named no owner account for these resources; pass ?account=<12-digit account id>`,
      );
    // Snapshots as the CUR names them, by ARN; a volume's source snapshot likewise.
    const arn = (snapshotId: string, owner?: string) =>
      `arn:aws:ec2:${region}:${owner ?? account}:snapshot/${snapshotId}`;
    for (const s of snapshotArns) s.row.resource_id = arn(s.snapshotId, s.owner);
    for (const v of volumeSources) v.row.source_id = arn(v.snapshotId);
    const dir = path.join(cacheDir, "ec2inventory", account ?? "unknown", region);
    return writeInventorySnapshot(
      dir,
      "ec2",
      at,
      rows.map((r) => ({ ...r, snapshot_time: at, account_id: account })),
    );
  },
};
