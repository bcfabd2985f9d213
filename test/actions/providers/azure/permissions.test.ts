/**
 * Least privilege, checked: every ARM call the adapter makes for a kind's steps, its undo (every
 * partial undo too) and the reads around them (describe of the resource, of a restored disk, the
 * Azure Monitor metrics a metrics-verified kind is judged by) needs an RBAC action the kind
 * declares in permissions.azure. And the other way: a kind declares
 * nothing its calls never need.
 */
import { describe, expect, it } from "vitest";
import { KINDS } from "../../../../actions/kinds/index.ts";
import type { Operation, ResourceState } from "../../../../actions/providers/adapter.ts";
import {
  CALL_PERMISSIONS,
  DESCRIBE_CALL,
  METRICS_CALL,
  OPERATION_CALLS,
} from "../../../../actions/providers/azure/index.ts";
import { granted } from "../../../../actions/providers/azure/permissions.ts";

const VM = "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/vm";
const PARAMS = {
  size: "Standard_D4s_v3",
  target_size: "Standard_D2s_v3",
  schedule: "weekdays 07:00-19:00",
  type: "Premium_LRS",
  target_type: "StandardSSD_LRS",
};

/** The priors a kind may start from: each start state, with and without an attachment or the schedule tag. */
function priors(kind: (typeof KINDS)[string]): ResourceState[] {
  return kind.startStates.flatMap((status) =>
    [[], [VM]].flatMap((attachedTo) =>
      ([{}, { "cco:schedule": "daily 08:00-18:00" }] as Record<string, string>[]).map((tags) => ({
        resourceId: `/subscriptions/s/resourceGroups/g/providers/x/y/${kind.resourceKind}`,
        provider: "azure" as const,
        kind: kind.resourceKind,
        exists: true,
        status,
        size: kind.resourceKind === "vm" ? PARAMS.size : PARAMS.type,
        attachedTo,
        tags,
      })),
    ),
  );
}

/** Every operation a kind may send: its steps and, for each number of steps done, its undo. */
function operations(kind: (typeof KINDS)[string]): Operation[] {
  const ops: Operation[] = [];
  for (const prior of priors(kind)) {
    const steps = kind.steps(prior, { ...PARAMS, attached_to: prior.attachedTo?.[0] }, "act-1");
    ops.push(...steps);
    for (let done = 0; done <= steps.length; done++)
      ops.push(...(kind.undo(prior, PARAMS, { snapshotId: "snap" }, done) ?? []));
  }
  return ops;
}

function needed(kind: (typeof KINDS)[string]): Set<string> {
  const describe = DESCRIBE_CALL[kind.resourceKind as keyof typeof DESCRIBE_CALL];
  // A kind of a resource Azure has none of here (bucket_lifecycle: S3 only) makes no call.
  if (!describe) return new Set();
  const reads = [describe, ...(kind.verification === "metrics" ? [METRICS_CALL] : [])];
  const calls = operations(kind).flatMap((op) => [
    ...OPERATION_CALLS[op.op],
    ...(op.op === "remove_tags" ? [describe] : []),
    ...(op.op === "restore_disk" ? [DESCRIBE_CALL.disk] : []),
  ]);
  return new Set([...reads, ...calls].map((c) => CALL_PERMISSIONS[c]));
}

describe("each kind's permissions.azure cover the ARM calls the adapter makes for it", () => {
  it.each(Object.keys(KINDS))("%s", (name) => {
    const kind = KINDS[name]!;
    const declared = [{ actions: [...kind.permissions.azure] }];
    const missing = [...needed(kind)].filter((action) => !granted(declared, action));
    expect(missing, `${name} must declare`).toEqual([]);
    const unused = kind.permissions.azure.filter((p) => !needed(kind).has(p));
    expect(unused, `${name} declares what no call needs`).toEqual([]);
  });

  it("every call the adapter can make names one RBAC action of the documented form", () => {
    for (const [call, action] of Object.entries(CALL_PERMISSIONS))
      expect(action, call).toMatch(
        /^Microsoft\.(Compute|Network|Resources|Authorization|Insights)\/[A-Za-z]+(\/[A-Za-z]+)*\/(read|write|delete|action)$/,
      );
    for (const calls of Object.values(OPERATION_CALLS))
      for (const c of calls) expect(CALL_PERMISSIONS).toHaveProperty([c]);
  });

  it("wildcards and notActions are read as RBAC does", () => {
    const entries = [{ actions: ["Microsoft.Compute/*"], notActions: ["Microsoft.Compute/disks/delete"] }];
    expect(granted(entries, "Microsoft.Compute/virtualMachines/deallocate/action")).toBe(true);
    expect(granted(entries, "microsoft.compute/DISKS/delete")).toBe(false);
    expect(granted(entries, "Microsoft.Network/publicIPAddresses/delete")).toBe(false);
    // NotActions subtract within their own role only: another role may grant the action.
    expect(granted([...entries, { actions: ["*/delete"] }], "Microsoft.Compute/disks/delete")).toBe(true);
  });
});
