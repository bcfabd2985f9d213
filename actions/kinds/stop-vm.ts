/** stop_vm (idle VMs): stop, or deallocate on Azure so compute stops billing; undo starts it again. */
import { z } from "zod";
import { type ActionKind, firstWord, VM_RUNNING, VM_STOPPED } from "./kind.ts";

const input = z.strictObject({ size: z.string().min(1, "the VM's size is missing (current_configuration)") });

export const stopVm: ActionKind<z.output<typeof input>> = {
  name: "stop_vm",
  resourceKind: "vm",
  description: "stop an idle VM (deallocate on Azure); undo starts it",
  irreversible: false,
  input,
  parameters: (row) => ({ size: firstWord(row.current_configuration) ?? "" }),
  permissions: {
    aws: ["ec2:DescribeInstances", "ec2:StopInstances", "ec2:StartInstances"],
    azure: [
      "Microsoft.Compute/virtualMachines/read",
      "Microsoft.Compute/virtualMachines/deallocate/action",
      "Microsoft.Compute/virtualMachines/start/action",
    ],
    gcp: [
      "compute.instances.get",
      "compute.instances.stop",
      "compute.instances.start",
      "compute.zoneOperations.get",
    ],
  },
  startStates: VM_RUNNING,
  recorded: (_row, p) => ({ exists: true, size: p.size }),
  steps: () => [{ op: "stop_vm" }],
  after: (prior, _p, done) =>
    done === 0 ? { exists: true, status: [prior.status ?? "running"] } : { exists: true, status: VM_STOPPED },
  undo: (_prior, _p, _outputs, done) => (done === 0 ? [] : [{ op: "start_vm" }]),
  // A stopped VM has no CPU to measure: the check that it stays stopped is the verification.
  verification: "state",
};
