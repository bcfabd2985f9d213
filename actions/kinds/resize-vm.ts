/**
 * resize_vm (rightsizing, previous generation): a running VM is stopped, resized and started
 * (AWS and GCP refuse to resize a running instance; Azure restarts it anyway); a stopped one is
 * only resized. Undo resizes back the same way.
 */
import { z } from "zod";
import type { Operation, ResourceState } from "../providers/adapter.ts";
import { type ActionKind, firstWord, VM_RUNNING, VM_STOPPED } from "./kind.ts";

const input = z.strictObject({
  size: z.string().min(1, "the VM's current size is missing (current_configuration)"),
  target_size: z.string().min(1, "the target size is missing (target_configuration)"),
});
type Input = z.output<typeof input>;

const running = (prior: ResourceState) => VM_RUNNING.includes(prior.status ?? "");

function resizeTo(prior: ResourceState, size: string): Operation[] {
  return running(prior)
    ? [{ op: "stop_vm" }, { op: "resize_vm", size }, { op: "start_vm" }]
    : [{ op: "resize_vm", size }];
}

export const resizeVm: ActionKind<Input> = {
  name: "resize_vm",
  resourceKind: "vm",
  description: "resize a VM to the recommended size (stop, resize, start when running); undo resizes back",
  irreversible: false,
  input,
  parameters: (row) => ({
    size: firstWord(row.current_configuration) ?? "",
    target_size: firstWord(row.target_configuration) ?? "",
  }),
  permissions: {
    aws: [
      "ec2:DescribeInstances",
      "ec2:StopInstances",
      "ec2:ModifyInstanceAttribute",
      "ec2:StartInstances",
      "cloudwatch:GetMetricData",
    ],
    azure: [
      "Microsoft.Compute/virtualMachines/read",
      "Microsoft.Compute/virtualMachines/vmSizes/read",
      "Microsoft.Compute/virtualMachines/deallocate/action",
      "Microsoft.Compute/virtualMachines/write",
      "Microsoft.Compute/virtualMachines/start/action",
      "Microsoft.Insights/metrics/read",
    ],
    gcp: [
      "compute.instances.get",
      "compute.instances.stop",
      "compute.instances.setMachineType",
      "compute.instances.start",
      "compute.zoneOperations.get",
      "monitoring.timeSeries.list",
    ],
  },
  startStates: [...VM_RUNNING, ...VM_STOPPED],
  recorded: (_row, p) => ({ exists: true, size: p.size }),
  steps: (prior, p) => resizeTo(prior, p.target_size),
  after(prior, p, done) {
    const status = [prior.status ?? "running"];
    if (!running(prior)) return { exists: true, status, size: done === 0 ? p.size : p.target_size };
    // stop → resize → start
    return [
      { exists: true, status, size: p.size },
      { exists: true, status: VM_STOPPED, size: p.size },
      { exists: true, status: VM_STOPPED, size: p.target_size },
      { exists: true, status, size: p.target_size },
    ][done];
  },
  undo(prior, p, _outputs, done) {
    const size = prior.size ?? p.size;
    if (!running(prior)) return done === 0 ? [] : [{ op: "resize_vm", size }];
    // Stopped only: start it; stopped and resized: resize back and start; all done: the full way back.
    return [[], [{ op: "start_vm" }], [{ op: "resize_vm", size }, { op: "start_vm" }], resizeTo(prior, size)][
      done
    ] as Operation[];
  },
  verification: "metrics",
};
