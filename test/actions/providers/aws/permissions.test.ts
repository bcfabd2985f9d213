/**
 * Least privilege, both ways: every call the adapter really makes for an operation is one
 * permissions.ts declares (checked against the replay's request log), and every kind's declared
 * permissions.aws cover every call its steps, undo, describe() and verification make.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { KINDS } from "../../../../actions/kinds/index.ts";
import type { Operation, ResourceKind, ResourceState } from "../../../../actions/providers/adapter.ts";
import {
  type AwsAdapter,
  CALL_PERMISSIONS,
  OPERATION_CALLS,
  permissionsFor,
} from "../../../../actions/providers/aws/index.ts";
import { DESCRIBE_CALLS } from "../../../../actions/providers/aws/permissions.ts";
import type { AwsReplay } from "../../../helpers/replay/aws.ts";
import { awsWorld, ESTATE } from "./setup.ts";

/**
 * Permissions a kind does not declare yet, though the adapter needs them (the diffs in the issue's
 * report): a kind's list growing or shrinking past this fails the test, so it is kept honest.
 */
/** Calls a kind makes that its declared permissions do not grant: none (a new gap fails the test). */
const KNOWN_GAPS: Record<string, string[]> = {};

type Kind = ResourceKind;

/** Priors a kind may start from (a running and a stopped VM, a free and an attached disk, …). */
function priors(kind: Kind): ResourceState[] {
  const base = { provider: "aws" as const, kind, exists: true, tags: { team: "web" }, region: "us-east-1" };
  switch (kind) {
    case "vm":
      return ["running", "stopped"].map((status) => ({
        ...base,
        resourceId: "i-0a",
        status,
        size: "m5.xlarge",
        attachedTo: [],
      }));
    case "disk":
      return [[], ["i-0a"]].map((attachedTo) => ({
        ...base,
        resourceId: "vol-0a",
        status: attachedTo.length ? "in-use" : "available",
        size: "gp2",
        sizeGb: 100,
        attachedTo,
      }));
    case "snapshot":
      return [
        { ...base, resourceId: "snap-0a", status: "completed", size: "snapshot", sizeGb: 10, attachedTo: [] },
      ];
    case "ip":
      return [{ ...base, resourceId: "203.0.113.9", status: "idle", attachedTo: [] }];
    case "bucket":
      // With a rule of its own (kept), and with none (the undo then deletes the configuration).
      return [["expire-logs"], []].map((lifecycleRules) => ({
        ...base,
        resourceId: "acme-logs",
        status: "available",
        attachedTo: [],
        lifecycleRules,
      }));
  }
}

const PARAMS: Record<string, Record<string, unknown>> = {
  stop_vm: { size: "m5.xlarge" },
  resize_vm: { size: "m5.xlarge", target_size: "m5.large" },
  schedule_vm: { size: "m5.xlarge", schedule: "weekdays 07:00-19:00" },
  change_disk_type: { type: "gp2", target_type: "gp3" },
  snapshot_delete_disk: { type: "gp2" },
  delete_snapshot: {},
  release_address: {},
  bucket_lifecycle: { storage_class: "STANDARD_IA", transition_days: 30 },
};

/** Every operation a kind can send: its steps, and its undo after any number of them. */
function operationsOf(name: string): Operation[] {
  const kind = KINDS[name]!;
  const ops: Operation[] = [];
  for (const prior of priors(kind.resourceKind as Kind)) {
    const steps = kind.steps(prior, PARAMS[name], "act-1");
    ops.push(...steps);
    for (let done = 0; done <= steps.length; done++)
      ops.push(...(kind.undo(prior, PARAMS[name], { snapshotId: "snap-0x" }, done) ?? []));
  }
  return ops;
}

describe("each kind's declared AWS permissions", () => {
  it.each(Object.keys(KINDS))(
    "%s covers every call its operations, describe and verification make",
    (name) => {
      const kind = KINDS[name]!;
      const needed = new Set<string>(
        DESCRIBE_CALLS[kind.resourceKind as Kind].map((c) => CALL_PERMISSIONS[c]),
      );
      for (const op of operationsOf(name))
        for (const p of permissionsFor(op.op, kind.resourceKind as Kind)) needed.add(p);
      if (kind.verification === "metrics") needed.add(CALL_PERMISSIONS.GetMetricData);
      const missing = [...needed].filter((p) => !kind.permissions.aws.includes(p)).sort();
      expect(missing).toEqual([...(KNOWN_GAPS[name] ?? [])].sort());
    },
  );
});

describe("the calls the adapter makes", () => {
  let replay: AwsReplay;
  let adapter: AwsAdapter;
  beforeAll(async () => {
    ({ replay, adapter } = await awsWorld({
      seed: structuredClone(ESTATE),
      buckets: [{ name: "acme-logs", rules: [{ id: "expire-logs", prefix: "logs/", expirationDays: 365 }] }],
    }));
  });

  const CASES: [string, Operation][] = [
    ["i-0run", { op: "stop_vm" }],
    ["i-0run", { op: "start_vm" }],
    ["i-0stop", { op: "resize_vm", size: "m5.xlarge" }],
    ["vol-0onstop", { op: "snapshot_disk", snapshotName: "cco-p" }],
    ["vol-0onstop", { op: "delete_disk" }],
    ["vol-0onstop", { op: "restore_disk", snapshotId: "SNAP", attachTo: "i-0stop" }],
    ["vol-0free", { op: "change_disk_type", type: "gp3" }],
    ["snap-0old", { op: "delete_snapshot" }],
    ["203.0.113.10", { op: "release_address" }],
    ["i-0run", { op: "set_tags", tags: { a: "b" } }],
    ["i-0run", { op: "remove_tags", keys: ["a"] }],
    [
      "acme-logs",
      { op: "put_lifecycle_rule", ruleId: "cco-p", transitionDays: 30, storageClass: "STANDARD_IA" },
    ],
    ["acme-logs", { op: "delete_lifecycle_rule", ruleId: "cco-p" }],
    ["acme-logs", { op: "delete_lifecycle_rule", ruleId: "expire-logs" }],
  ];

  it("are, for every operation, among those permissions.ts declares for it", async () => {
    let snapshotId = "";
    for (const [resourceId, operation] of CASES) {
      const op = operation.op === "restore_disk" ? { ...operation, snapshotId } : operation;
      const from = replay.log.length;
      await adapter.checkPermissions({ resourceId, operation: op, idempotencyToken: `p-${operation.op}` });
      const result = await adapter.perform({
        resourceId,
        operation: op,
        idempotencyToken: `p-${operation.op}`,
      });
      snapshotId = result.output?.snapshotId ?? snapshotId;
      const made = new Set(replay.log.slice(from).map((r) => r.action));
      const kind = resourceId.startsWith("acme-") ? "bucket" : undefined;
      const declared = new Set<string>([
        ...OPERATION_CALLS[operation.op],
        ...(kind ? DESCRIBE_CALLS[kind] : []),
      ]);
      expect(
        [...made].filter((a) => !declared.has(a)),
        operation.op,
      ).toEqual([]);
    }
  });
});
