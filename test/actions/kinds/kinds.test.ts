/**
 * Every action kind against a model resource: its input parses from the queue row the detector
 * writes; each forward step leaves the state `after(n)` declares (what the crash reconciliation
 * relies on); the undo brings back `after(0)`; irreversible kinds have no undo and record what
 * is lost; the catalogue and the registry agree.
 */
import { describe, expect, it } from "vitest";
import type { QueueRow } from "../../../actions/approvals/columns.ts";
import { KIND_FOR_DETECTOR } from "../../../actions/kinds/catalogue.ts";
import { KINDS } from "../../../actions/kinds/index.ts";
import { mismatches } from "../../../actions/kinds/kind.ts";
import type { Operation, ResourceState } from "../../../actions/providers/adapter.ts";
import { apply } from "../../../actions/providers/sandbox/operations.ts";
import type { SandboxResource, SandboxState } from "../../../actions/providers/sandbox/state.ts";
import { ACTION_KINDS } from "../../../core/actions-settings.ts";
import { sandboxSchema } from "../../../core/sandbox-settings.ts";
import { FakeCloud, vm } from "../executor/fixture.ts";

const row = (detector: string, current: string, target: string | null = null) =>
  ({
    recommendation_id: "r",
    detector,
    resource_id: "x",
    current_configuration: current,
    target_configuration: target,
  }) as unknown as QueueRow;

const disk = (extra: Partial<ResourceState> = {}): ResourceState => ({
  resourceId: "x",
  provider: "aws",
  kind: "disk",
  exists: true,
  status: "available",
  size: "gp2",
  sizeGb: 100,
  attachedTo: [],
  tags: {},
  ...extra,
});

/** Kind, queue row (as the detector writes it) and a resource it applies to. */
const CASES: [string, QueueRow, ResourceState][] = [
  ["stop_vm", row("idle_vm", "m5.xlarge"), vm("x")],
  ["resize_vm", row("rightsizing", "m5.xlarge", "m5.large"), vm("x")],
  ["resize_vm", row("previous_generation", "m5.xlarge", "m6i.xlarge"), vm("x", { status: "stopped" })],
  ["schedule_vm", row("schedule", "m5.xlarge, 24x7", "weekdays 07:00-19:00"), vm("x")],
  [
    "change_disk_type",
    row("gp2_volume", "gp2 100 GB", "gp3"),
    disk({ status: "in-use", attachedTo: ["i-9"] }),
  ],
  ["snapshot_delete_disk", row("unattached_volume", "gp2 100 GB, unattached"), disk()],
  [
    "snapshot_delete_disk",
    row("stopped_vm_volume", "gp2 100 GB on stopped VM i-9"),
    disk({ status: "in-use", attachedTo: ["i-9"] }),
  ],
  [
    "delete_snapshot",
    row("old_snapshot", "snapshot 100 GB, 400 days old"),
    disk({ kind: "snapshot", status: "completed" }),
  ],
  [
    "release_address",
    row("idle_address", "public IPv4, unassociated"),
    { resourceId: "x", provider: "aws", kind: "ip", exists: true, status: "idle", attachedTo: [], tags: {} },
  ],
];

describe("action kinds", () => {
  it.each(CASES)(
    "%s: steps land as declared and the undo restores the prior state",
    async (name, queueRow, resource) => {
      const kind = KINDS[name]!;
      const params = kind.input.parse(kind.parameters(queueRow));
      const cloud = new FakeCloud({ x: structuredClone(resource) });
      const prior = await cloud.describe("x");
      expect(mismatches(prior, kind.recorded(queueRow, params))).toEqual([]);
      expect(kind.startStates).toContain(prior.status);
      const steps = kind.steps(prior, params, "act-1");
      expect(steps.length).toBeGreaterThan(0);
      const outputs: Record<string, string> = {};
      for (const [i, operation] of steps.entries()) {
        const result = await cloud.perform({ resourceId: "x", operation, idempotencyToken: `t:${i}` });
        Object.assign(outputs, result.output);
        const expected = kind.after(prior, params, i + 1);
        if (expected) expect(mismatches(await cloud.describe("x"), expected), `after step ${i}`).toEqual([]);
      }
      const undo = kind.undo(prior, params, outputs, steps.length);
      if (kind.irreversible) {
        expect(undo).toBeNull();
        expect(kind.loses?.(prior)).toBeTruthy();
        return;
      }
      const undoOutputs: Record<string, string> = {};
      for (const [j, operation] of (undo ?? []).entries())
        Object.assign(
          undoOutputs,
          (await cloud.perform({ resourceId: "x", operation, idempotencyToken: `u:${j}` })).output,
        );
      const restored = kind.undoneResource?.(prior, undoOutputs) ?? "x";
      expect(mismatches(await cloud.describe(restored), kind.after(prior, params, 0)!)).toEqual([]);
      expect(mismatches(await cloud.describe(restored), kind.recorded(queueRow, params))).toEqual([]);
    },
  );

  it.each(CASES.filter(([n]) => n === "resize_vm" || n === "stop_vm"))(
    "%s: a partial change is undone from where it stopped",
    async (name, queueRow, resource) => {
      const kind = KINDS[name]!;
      const params = kind.input.parse(kind.parameters(queueRow));
      for (let done = 0; done < kind.steps(resource, params, "a").length; done++) {
        const cloud = new FakeCloud({ x: structuredClone(resource) });
        const steps = kind.steps(resource, params, "a");
        for (let i = 0; i < done; i++)
          await cloud.perform({ resourceId: "x", operation: steps[i]!, idempotencyToken: `t:${i}` });
        for (const [j, operation] of kind.undo(resource, params, {}, done)!.entries())
          await cloud.perform({ resourceId: "x", operation, idempotencyToken: `u:${j}` });
        expect(
          mismatches(await cloud.describe("x"), kind.after(resource, params, 0)!),
          `undo after ${done} steps`,
        ).toEqual([]);
      }
    },
  );

  it("declare real permissions for every provider", () => {
    for (const kind of Object.values(KINDS)) {
      expect(
        kind.permissions.aws.every((p) => /^(ec2|cloudwatch|s3):[A-Z][A-Za-z]+$/.test(p)),
        kind.name,
      ).toBe(true);
      expect(
        kind.permissions.azure.every((p) => /^Microsoft\.\w+\/[\w/]+$/.test(p)),
        kind.name,
      ).toBe(true);
      expect(
        kind.permissions.gcp.every((p) => /^(compute|monitoring)\.\w+\.\w+$/.test(p)),
        kind.name,
      ).toBe(true);
    }
    expect(KINDS.stop_vm!.permissions.aws).toContain("ec2:StopInstances");
    expect(KINDS.stop_vm!.permissions.azure).toContain("Microsoft.Compute/virtualMachines/deallocate/action");
    expect(KINDS.stop_vm!.permissions.gcp).toContain("compute.instances.stop");
    // S3's IAM names, not its API's (GetBucketLifecycleConfiguration is s3:GetLifecycleConfiguration).
    expect(KINDS.bucket_lifecycle!.permissions.aws).toEqual(
      expect.arrayContaining(["s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration"]),
    );
    // Not automated on Azure and GCP: nothing to grant there.
    expect([KINDS.bucket_lifecycle!.permissions.azure, KINDS.bucket_lifecycle!.permissions.gcp]).toEqual([
      [],
      [],
    ]);
  });

  it("agree with the detector catalogue and the config's list", () => {
    expect(Object.keys(KINDS).sort()).toEqual([...ACTION_KINDS].sort());
    for (const [detector, { kind, irreversible }] of Object.entries(KIND_FOR_DETECTOR)) {
      expect(KINDS[kind], detector).toBeDefined();
      expect(KINDS[kind]!.irreversible, detector).toBe(irreversible);
    }
  });

  it("read a disk type of several words as the recommendation wrote it (Azure's Premium SSD)", () => {
    const disk = KINDS.snapshot_delete_disk!;
    expect(disk.parameters(row("unattached_volume", "Premium SSD 512.0 GB, unattached"))).toEqual({
      type: "Premium SSD",
      size_gb: 512,
    });
    expect(disk.parameters(row("stopped_vm_volume", "gp3 256.0 GB on stopped VM i-08f4"))).toMatchObject({
      type: "gp3",
      attached_to: "i-08f4",
    });
    const retype = KINDS.change_disk_type!;
    expect(retype.parameters(row("gp2_volume", "gp2 256.0 GB", "gp3"))).toMatchObject({
      type: "gp2",
      target_type: "gp3",
    });
  });

  it("refuse a queue row without what they need, naming the column", () => {
    const resize = KINDS.resize_vm!;
    const parsed = resize.input.safeParse(resize.parameters(row("rightsizing", "m5.xlarge", null)));
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toMatch(/\(target_configuration\)$/);
    const schedule = KINDS.schedule_vm!;
    expect(
      schedule.input.safeParse(schedule.parameters(row("schedule", "m5.large", "whenever"))).success,
    ).toBe(false);
  });
});

describe("bucket_lifecycle", () => {
  const queueRow = row(
    "bucket_lifecycle",
    "S3 Standard 8000 GB, 1.16 GETs per GB-month",
    "lifecycle: STANDARD_IA after 30 days",
  );
  const kind = KINDS.bucket_lifecycle!;
  const params = kind.input.parse(kind.parameters(queueRow));
  /** A bucket in the sandbox's state, changed by the sandbox's own operations (S3's rules). */
  const bucket = (rules: string[]) =>
    ({
      resourceId: "acme-archive",
      provider: "aws",
      kind: "bucket",
      exists: true,
      status: "available",
      size: "",
      attachedTo: [],
      tags: {},
      region: "us-east-1",
      account: "1",
      createdAt: "2026-01-01T00:00:00Z",
      billing: {},
      history: [],
      lifecycleRules: rules.map((id) => ({ id, transitionDays: 365, storageClass: "GLACIER" })),
    }) as unknown as SandboxResource;
  const stateOf = (b: SandboxResource): ResourceState => ({
    resourceId: b.resourceId,
    provider: "aws",
    kind: "bucket",
    exists: b.exists,
    status: b.status,
    tags: b.tags,
    lifecycleRules: (b.lifecycleRules ?? []).map((r) => r.id),
  });
  const run = (b: SandboxResource, operation: Operation) =>
    apply(
      { state: {} as SandboxState, provider: "aws", settings: sandboxSchema.parse({}), seq: 1, at: "" },
      b,
      operation,
    );

  it("parses its target, adds one rule beside the bucket's own, and the undo removes only that one", () => {
    expect(params).toEqual({ storage_class: "STANDARD_IA", transition_days: 30 });
    const b = bucket(["archive-old"]);
    const prior = stateOf(b);
    expect(mismatches(prior, kind.recorded(queueRow, params))).toEqual([]);
    expect(kind.startStates).toContain(prior.status);
    const steps = kind.steps(prior, params, "act-1");
    expect(steps).toEqual([
      {
        op: "put_lifecycle_rule",
        ruleId: "cco-standard-ia-after-30-days",
        transitionDays: 30,
        storageClass: "STANDARD_IA",
      },
    ]);
    for (const s of steps) run(b, s);
    expect(stateOf(b).lifecycleRules).toEqual(["archive-old", "cco-standard-ia-after-30-days"]);
    expect(mismatches(stateOf(b), kind.after(prior, params, 1)!)).toEqual([]);
    for (const u of kind.undo(prior, params, {}, 1)!) run(b, u);
    expect(mismatches(stateOf(b), kind.after(prior, params, 0)!)).toEqual([]);
    expect(stateOf(b).lifecycleRules).toEqual(["archive-old"]);
    // Had the undo dropped the bucket's own rule too, the check would say so.
    expect(mismatches({ ...stateOf(b), lifecycleRules: [] }, kind.after(prior, params, 0)!)).toEqual([
      "lifecycle rule archive-old is absent",
    ]);
  });

  it("refuses a bucket that has the rule already, and a target it cannot parse", () => {
    const prior = stateOf(bucket(["cco-standard-ia-after-30-days"]));
    expect(mismatches(prior, kind.recorded(queueRow, params))).toEqual([
      "lifecycle rule cco-standard-ia-after-30-days is present",
    ]);
    expect(
      kind.input.safeParse(kind.parameters(row("bucket_lifecycle", "S3", "move it somewhere"))).success,
    ).toBe(false);
  });
});
