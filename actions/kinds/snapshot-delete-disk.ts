/**
 * snapshot_delete_disk (unattached disks, disks of long-stopped VMs): a snapshot first, then the
 * disk is deleted (detached from its stopped VM by the adapter). Not irreversible: the undo
 * restores a disk of the same type from the snapshot and attaches it where it was. The restored
 * disk has a new id, recorded in the undo's output.
 */
import { z } from "zod";
import { type ActionKind, diskTypeIn, gbIn } from "./kind.ts";

const input = z.strictObject({
  type: z.string().min(1, "the disk's type is missing (current_configuration)"),
  size_gb: z.number().positive().optional(),
  /** The stopped VM it hangs on (stopped_vm_volume); none for an unattached disk. */
  attached_to: z.string().min(1).optional(),
});
type Input = z.output<typeof input>;

export const snapshotName = (actionId: string) => `cco-${actionId}`;

export const snapshotDeleteDisk: ActionKind<Input> = {
  name: "snapshot_delete_disk",
  resourceKind: "disk",
  description: "snapshot a disk, then delete it; undo restores it from the snapshot",
  irreversible: false,
  input,
  parameters(row) {
    const on = / on stopped VM (\S+)/.exec(row.current_configuration ?? "");
    const type = diskTypeIn(row.current_configuration);
    return {
      type: type === "volume" ? "" : (type ?? ""),
      size_gb: gbIn(row.current_configuration),
      ...(on ? { attached_to: on[1] } : {}),
    };
  },
  permissions: {
    aws: [
      "ec2:DescribeVolumes",
      "ec2:DescribeInstances",
      "ec2:CreateSnapshot",
      "ec2:CreateTags",
      "ec2:DescribeSnapshots",
      "ec2:DetachVolume",
      "ec2:DeleteVolume",
      "ec2:CreateVolume",
      "ec2:AttachVolume",
    ],
    azure: [
      "Microsoft.Compute/disks/read",
      "Microsoft.Compute/snapshots/write",
      "Microsoft.Compute/snapshots/read",
      "Microsoft.Compute/virtualMachines/read",
      "Microsoft.Compute/virtualMachines/write",
      "Microsoft.Compute/disks/delete",
      "Microsoft.Compute/disks/write",
    ],
    gcp: [
      "compute.disks.get",
      "compute.disks.createSnapshot",
      "compute.snapshots.create",
      "compute.snapshots.get",
      "compute.instances.detachDisk",
      "compute.disks.delete",
      "compute.disks.create",
      "compute.snapshots.useReadOnly",
      "compute.instances.attachDisk",
      "compute.instances.get",
      "compute.disks.use",
      "compute.disks.setLabels",
      "compute.snapshots.setLabels",
      "compute.zoneOperations.get",
    ],
  },
  startStates: ["available", "in-use"],
  recorded: (_row, p) => ({
    exists: true,
    ...(p.type ? { size: p.type } : {}),
    ...(p.size_gb ? { sizeGb: p.size_gb } : {}),
    attachedTo: p.attached_to ? [p.attached_to] : [],
  }),
  steps: (_prior, _p, actionId) => [
    { op: "snapshot_disk", snapshotName: snapshotName(actionId) },
    { op: "delete_disk" },
  ],
  // The snapshot leaves the disk as it was: step 1 is told by its token, not by the disk.
  after: (_prior, _p, done) => (done === 1 ? undefined : { exists: done === 0 }),
  undo(prior, _p, outputs, done) {
    // Before the delete the disk is still there: nothing to restore (the snapshot is kept).
    if (done < 2) return [];
    if (!outputs.snapshotId) return null;
    const attachTo = prior.attachedTo?.[0];
    return [
      {
        op: "restore_disk",
        snapshotId: outputs.snapshotId,
        ...(prior.size ? { size: prior.size } : {}),
        ...(attachTo ? { attachTo } : {}),
      },
    ];
  },
  undoneResource: (prior, undoOutputs) => undoOutputs.resourceId ?? prior.resourceId,
  verification: "state",
};
