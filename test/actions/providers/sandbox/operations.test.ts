import { beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../../../core/config.ts";
import type { Warehouse } from "../../../../core/warehouse/warehouse.ts";
import { type CloudAdapter, ProviderError } from "../../../../actions/providers/adapter.ts";
import { createAdapter } from "../../../../actions/providers/index.ts";
import { openSandbox, type Sandbox } from "../../../../actions/providers/sandbox/sandbox.ts";
import { tinyEstate, withSandbox } from "./fixture.ts";

let warehouse: Warehouse;
let config: Config;
let sandbox: Sandbox;
let aws: CloudAdapter;
let n = 0;
const token = () => `tok-${++n}`;

beforeAll(async () => {
  ({ warehouse, config } = await tinyEstate());
  sandbox = await openSandbox(withSandbox(config, { capacity_errors: ["m6i.4xlarge"] }), warehouse);
  aws = sandbox.adapter("aws");
}, 120_000);

const resources = () => Object.values(sandbox.state().resources);
const awsVm = (status = "running") =>
  resources().find((r) => r.provider === "aws" && r.kind === "vm" && r.status === status && r.exists)!;

async function refusal(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe("the sandbox state", () => {
  it("starts the day after the last billing day, with the warehouse's resources", async () => {
    const state = sandbox.state();
    expect(state.clock).toBe("2026-11-01T00:00:00.000Z");
    expect(aws.now().toISOString()).toBe("2026-11-01T00:00:00.000Z");
    const [row] = await warehouse.all<{ n: number }>(
      `SELECT count(*)::INTEGER AS n FROM marts.resources WHERE state = 'active'
       AND resource_type IN ('virtual_machine', 'volume', 'snapshot', 'public_ip', 'bucket')`,
    );
    expect(Object.keys(state.resources)).toHaveLength(row!.n);
    const vm = awsVm();
    const described = await aws.describe(vm.resourceId);
    expect(described).toMatchObject({ exists: true, kind: "vm", status: "running", provider: "aws" });
    expect(described.size).toBe(vm.size);
  });

  it("is one state behind every adapter, and another provider's ids are not found", async () => {
    const azureVm = resources().find((r) => r.provider === "azure" && r.kind === "vm")!;
    expect((await refusal(aws.describe(azureVm.resourceId))).code).toBe("not_found");
    expect((await sandbox.adapter("azure").describe(azureVm.resourceId)).exists).toBe(true);
    await expect(createAdapter("azure", withSandbox(config))).rejects.toThrow(/does not exist yet/);
    const viaIndex = await createAdapter("azure", withSandbox(config), warehouse);
    expect((await viaIndex.describe(azureVm.resourceId)).status).toBe(azureVm.status);
  });
});

describe("operations follow the cloud's rules", () => {
  it("resizes only a stopped VM, to a size offered, with capacity", async () => {
    const vm = awsVm();
    const id = vm.resourceId;
    const running = await refusal(
      aws.perform({
        resourceId: id,
        operation: { op: "resize_vm", size: "m6i.large" },
        idempotencyToken: token(),
      }),
    );
    expect(running.code).toBe("conflict");
    expect(running.message).toBe(`instance ${id} is running; stop it before changing its type`);
    expect(running.requestId).toMatch(/^[0-9a-f-]{36}$/);
    await aws.perform({ resourceId: id, operation: { op: "stop_vm" }, idempotencyToken: token() });
    expect((await aws.describe(id)).status).toBe("stopped");
    const unknown = await refusal(
      aws.perform({
        resourceId: id,
        operation: { op: "resize_vm", size: "m9.huge" },
        idempotencyToken: token(),
      }),
    );
    expect(unknown.code).toBe("invalid");
    expect(unknown.message).toContain("m9.huge is not offered");
    const full = await refusal(
      aws.perform({
        resourceId: id,
        operation: { op: "resize_vm", size: "m6i.4xlarge" },
        idempotencyToken: token(),
      }),
    );
    expect(full.code).toBe("capacity");
    const target = vm.size === "t3.medium" ? "t3.large" : "t3.medium";
    await aws.perform({
      resourceId: id,
      operation: { op: "resize_vm", size: target },
      idempotencyToken: token(),
    });
    await aws.perform({ resourceId: id, operation: { op: "start_vm" }, idempotencyToken: token() });
    expect(await aws.describe(id)).toMatchObject({ status: "running", size: target });
    const history = sandbox.state().resources[id]!.history;
    expect(history.map((h) => h.status)).toEqual(["running", "stopped", "stopped", "running"]);
    expect(history.at(-1)!.unitPrice).not.toBe(history[0]!.unitPrice);
  });

  it("snapshots a disk, refuses to delete it under a running VM, deletes and restores it", async () => {
    const disk = resources().find(
      (r) =>
        r.provider === "aws" &&
        r.kind === "disk" &&
        r.status === "in-use" &&
        sandbox.state().resources[r.attachedTo[0]!]?.status === "running",
    )!;
    const vmId = disk.attachedTo[0]!;
    const { output } = await aws.perform({
      resourceId: disk.resourceId,
      operation: { op: "snapshot_disk", snapshotName: "before-delete" },
      idempotencyToken: token(),
    });
    const snapshotId = output!.snapshotId!;
    expect(snapshotId).toMatch(/^arn:aws:ec2:.*:snapshot\/snap-0[0-9a-f]{16}$/);
    expect(await aws.describe(snapshotId)).toMatchObject({
      kind: "snapshot",
      exists: true,
      sizeGb: disk.sizeGb,
    });
    const attached = await refusal(
      aws.perform({
        resourceId: disk.resourceId,
        operation: { op: "delete_disk" },
        idempotencyToken: token(),
      }),
    );
    expect(attached.code).toBe("conflict");
    expect(attached.message).toContain(`attached to running instance ${vmId}`);
    await aws.perform({ resourceId: vmId, operation: { op: "stop_vm" }, idempotencyToken: token() });
    await aws.perform({
      resourceId: disk.resourceId,
      operation: { op: "delete_disk" },
      idempotencyToken: token(),
    });
    expect((await aws.describe(disk.resourceId)).exists).toBe(false);
    const again = await refusal(
      aws.perform({
        resourceId: disk.resourceId,
        operation: { op: "delete_disk" },
        idempotencyToken: token(),
      }),
    );
    expect(again.code).toBe("not_found");
    const restored = await aws.perform({
      resourceId: disk.resourceId,
      operation: { op: "restore_disk", snapshotId, attachTo: vmId },
      idempotencyToken: token(),
    });
    const newDisk = await aws.describe(restored.output!.resourceId!);
    expect(newDisk).toMatchObject({
      kind: "disk",
      exists: true,
      status: "in-use",
      size: disk.size,
      sizeGb: disk.sizeGb,
      attachedTo: [vmId],
    });
    const missing = await refusal(
      aws.perform({
        resourceId: disk.resourceId,
        operation: { op: "restore_disk", snapshotId: "snap-nope" },
        idempotencyToken: token(),
      }),
    );
    expect(missing.code).toBe("not_found");
  });

  it("changes a disk's type to one offered, and deletes snapshots", async () => {
    const disk = resources().find((r) => r.provider === "aws" && r.kind === "disk" && r.exists)!;
    const to = disk.size === "gp2" ? "gp3" : "gp2";
    await aws.perform({
      resourceId: disk.resourceId,
      operation: { op: "change_disk_type", type: to },
      idempotencyToken: token(),
    });
    expect((await aws.describe(disk.resourceId)).size).toBe(to);
    const same = await refusal(
      aws.perform({
        resourceId: disk.resourceId,
        operation: { op: "change_disk_type", type: to },
        idempotencyToken: token(),
      }),
    );
    expect(same.code).toBe("invalid");
    const bad = await refusal(
      aws.perform({
        resourceId: disk.resourceId,
        operation: { op: "change_disk_type", type: "floppy" },
        idempotencyToken: token(),
      }),
    );
    expect(bad.message).toContain("floppy is not offered");
    const wrongKind = await refusal(
      aws.perform({ resourceId: disk.resourceId, operation: { op: "stop_vm" }, idempotencyToken: token() }),
    );
    expect(wrongKind.message).toContain("stop_vm applies to a instance");
    const snapshot = resources().find((r) => r.provider === "aws" && r.kind === "snapshot" && r.exists)!;
    await aws.perform({
      resourceId: snapshot.resourceId,
      operation: { op: "delete_snapshot" },
      idempotencyToken: token(),
    });
    expect((await aws.describe(snapshot.resourceId)).exists).toBe(false);
  });

  it("releases only an address associated with nothing, for good", async () => {
    const azure = sandbox.adapter("azure");
    const idle = resources().find((r) => r.kind === "ip" && r.status === "idle")!;
    const adapter = sandbox.adapter(idle.provider as "aws");
    await adapter.perform({
      resourceId: idle.resourceId,
      operation: { op: "release_address" },
      idempotencyToken: token(),
    });
    expect(await adapter.describe(idle.resourceId)).toMatchObject({ exists: false, status: "released" });
    const gone = await refusal(
      adapter.perform({
        resourceId: idle.resourceId,
        operation: { op: "release_address" },
        idempotencyToken: token(),
      }),
    );
    expect(gone.code).toBe("not_found");
    const associated = resources().find((r) => r.kind === "ip" && r.status === "associated");
    if (associated) {
      const inUse = await refusal(
        sandbox.adapter(associated.provider as "aws").perform({
          resourceId: associated.resourceId,
          operation: { op: "release_address" },
          idempotencyToken: token(),
        }),
      );
      expect(inUse.code).toBe("conflict");
    }
    expect(azure.name).toBe("sandbox");
  });

  it("sets and removes tags, refusing reserved keys", async () => {
    const vm = awsVm("stopped");
    await aws.perform({
      resourceId: vm.resourceId,
      operation: { op: "set_tags", tags: { "cco:action": "a-1" } },
      idempotencyToken: token(),
    });
    expect((await aws.describe(vm.resourceId)).tags["cco:action"]).toBe("a-1");
    await aws.perform({
      resourceId: vm.resourceId,
      operation: { op: "remove_tags", keys: ["cco:action"] },
      idempotencyToken: token(),
    });
    expect((await aws.describe(vm.resourceId)).tags["cco:action"]).toBeUndefined();
    const reserved = await refusal(
      aws.perform({
        resourceId: vm.resourceId,
        operation: { op: "set_tags", tags: { "aws:x": "1" } },
        idempotencyToken: token(),
      }),
    );
    expect(reserved.code).toBe("invalid");
  });
});

describe("idempotency", () => {
  it("answers a repeated token with the first result and changes nothing", async () => {
    const disk = resources().find((r) => r.provider === "aws" && r.kind === "disk" && r.exists)!;
    const request = {
      resourceId: disk.resourceId,
      operation: { op: "snapshot_disk" as const, snapshotName: "twice" },
      idempotencyToken: "same-token",
    };
    const first = await aws.perform(request);
    const before = sandbox.state();
    const second = await aws.perform(request);
    const after = sandbox.state();
    expect(second).toEqual(first);
    expect(Object.keys(after.resources)).toEqual(Object.keys(before.resources));
    expect(after.clock).toBe(before.clock);
    const log = after.requests.filter((r) => r.token === "same-token");
    expect(log.map((r) => r.outcome)).toEqual(["ok", "replayed"]);
    expect(log[1]!.output).toEqual(first.output);
    const mismatch = await refusal(
      aws.perform({ ...request, operation: { op: "snapshot_disk", snapshotName: "other" } }),
    );
    expect(mismatch.code).toBe("invalid");
    expect(mismatch.message).toContain("IdempotentParameterMismatch");
  });

  it("logs every call with its operation, token, request id and outcome", () => {
    const log = sandbox.state().requests;
    expect(log.length).toBeGreaterThan(10);
    expect(new Set(log.map((r) => r.requestId)).size).toBe(log.length);
    expect(log.map((r) => r.seq)).toEqual(log.map((_, i) => i + 1));
    expect(log.find((r) => r.outcome === "conflict")).toMatchObject({ call: "perform", applied: false });
  });
});
