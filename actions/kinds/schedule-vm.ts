/**
 * schedule_vm (VMs busy only in office hours): tags the VM with the on-hours schedule the
 * recommendation found (cco:schedule = "weekdays 07:00-19:00"); the scheduler that honours the
 * tag stops it outside those hours (Instance Scheduler on AWS, Start/Stop VMs on Azure, instance
 * schedules on GCP read such a tag or label). Undo restores the tag's prior value or removes it.
 */
import { z } from "zod";
import { type ActionKind, firstWord, VM_RUNNING, VM_STOPPED } from "./kind.ts";

export const SCHEDULE_TAG = "cco:schedule";

const input = z.strictObject({
  size: z.string().min(1, "the VM's size is missing (current_configuration)"),
  schedule: z.string().regex(/^(weekdays|daily|mon-fri|every day) \d{2}:\d{2}-\d{2}:\d{2}$/i, {
    error: 'expected an on-hours schedule such as "weekdays 07:00-19:00" (target_configuration)',
  }),
});
type Input = z.output<typeof input>;

export const scheduleVm: ActionKind<Input> = {
  name: "schedule_vm",
  resourceKind: "vm",
  description: `tag a VM with its on-hours schedule (${SCHEDULE_TAG}); undo restores the tag`,
  irreversible: false,
  input,
  parameters: (row) => ({
    size: firstWord(row.current_configuration) ?? "",
    schedule: (row.target_configuration ?? "").trim(),
  }),
  permissions: {
    aws: ["ec2:DescribeInstances", "ec2:CreateTags", "ec2:DeleteTags", "cloudwatch:GetMetricData"],
    azure: [
      "Microsoft.Compute/virtualMachines/read",
      "Microsoft.Resources/tags/write",
      "Microsoft.Insights/metrics/read",
    ],
    gcp: [
      "compute.instances.get",
      "compute.instances.setLabels",
      "compute.zoneOperations.get",
      "monitoring.timeSeries.list",
    ],
  },
  startStates: [...VM_RUNNING, ...VM_STOPPED],
  recorded: (_row, p) => ({ exists: true, size: p.size }),
  steps: (_prior, p) => [{ op: "set_tags", tags: { [SCHEDULE_TAG]: p.schedule } }],
  after: (prior, p, done) => ({
    exists: true,
    tags: { [SCHEDULE_TAG]: done === 0 ? (prior.tags[SCHEDULE_TAG] ?? null) : p.schedule },
  }),
  undo: (prior, _p, _outputs, done) =>
    done === 0
      ? []
      : prior.tags[SCHEDULE_TAG] !== undefined
        ? [{ op: "set_tags", tags: { [SCHEDULE_TAG]: prior.tags[SCHEDULE_TAG] } }]
        : [{ op: "remove_tags", keys: [SCHEDULE_TAG] }],
  // The on-hours load must not change: a VM that now peaks when it runs is catching up on work.
  verification: "metrics",
};
