/**
 * change_disk_type (gp2 → gp3): modified in place while attached (EC2 ModifyVolume, an Azure
 * disk's sku, a GCP disk's type where the disk family allows). Undo changes it back; AWS allows
 * one modification per volume every 6 hours, so an early undo may be throttled and is retried.
 */
import { z } from "zod";
import { type ActionKind, diskTypeIn, gbIn } from "./kind.ts";

const input = z.strictObject({
  type: z.string().min(1, "the disk's type is missing (current_configuration)"),
  size_gb: z.number().positive().optional(),
  target_type: z.string().min(1, "the target type is missing (target_configuration)"),
});
type Input = z.output<typeof input>;

export const changeDiskType: ActionKind<Input> = {
  name: "change_disk_type",
  resourceKind: "disk",
  description: "change a disk's type in place (gp2 → gp3); undo changes it back",
  irreversible: false,
  input,
  parameters: (row) => ({
    type: diskTypeIn(row.current_configuration) ?? "",
    size_gb: gbIn(row.current_configuration),
    target_type: diskTypeIn(row.target_configuration) ?? "",
  }),
  permissions: {
    aws: ["ec2:DescribeVolumes", "ec2:ModifyVolume", "ec2:DescribeVolumesModifications"],
    azure: ["Microsoft.Compute/disks/read", "Microsoft.Compute/disks/write"],
    gcp: ["compute.disks.get", "compute.disks.update"],
  },
  startStates: ["in-use", "available"],
  recorded: (_row, p) => ({ exists: true, size: p.type, ...(p.size_gb ? { sizeGb: p.size_gb } : {}) }),
  steps: (_prior, p) => [{ op: "change_disk_type", type: p.target_type }],
  after: (prior, p, done) => ({ exists: true, size: done === 0 ? (prior.size ?? p.type) : p.target_type }),
  undo: (prior, p, _outputs, done) =>
    done === 0 ? [] : [{ op: "change_disk_type", type: prior.size ?? p.type }],
  verification: "state",
};
