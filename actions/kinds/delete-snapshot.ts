/** delete_snapshot (old snapshots): irreversible. What is lost (size, tags, age) is recorded first. */
import { z } from "zod";
import { type ActionKind, gbIn } from "./kind.ts";

const input = z.strictObject({ size_gb: z.number().positive().optional() });
type Input = z.output<typeof input>;

export const deleteSnapshot: ActionKind<Input> = {
  name: "delete_snapshot",
  resourceKind: "snapshot",
  description: "delete an old snapshot (irreversible: needs the approval's acknowledgement)",
  irreversible: true,
  input,
  parameters: (row) => ({ size_gb: gbIn(row.current_configuration) }),
  permissions: {
    aws: ["ec2:DescribeSnapshots", "ec2:DeleteSnapshot"],
    azure: ["Microsoft.Compute/snapshots/read", "Microsoft.Compute/snapshots/delete"],
    gcp: ["compute.snapshots.get", "compute.snapshots.delete", "compute.globalOperations.get"],
  },
  startStates: ["available", "completed", "ready", "succeeded"],
  recorded: (_row, p) => ({ exists: true, ...(p.size_gb ? { sizeGb: p.size_gb } : {}) }),
  steps: () => [{ op: "delete_snapshot" }],
  after: (_prior, _p, done) => ({ exists: done === 0 }),
  undo: () => null,
  verification: "state",
  loses: (prior) => ({
    snapshot: prior.resourceId,
    size: prior.size,
    size_gb: prior.sizeGb,
    tags: prior.tags,
  }),
};
