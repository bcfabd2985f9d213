/**
 * End to end: approved Azure rows through the executor (actions/executor/run.ts) with the Azure
 * adapter and the real SDKs against the replay, under each fault. After each: no action in a
 * state a crash leaves, no request applied twice, an undone change back as recorded, the audit
 * chain intact; and the request log shows the calls, their order and their tokens.
 */
import { describe, expect, it } from "vitest";
import { stepToken } from "../../../../actions/executor/records.ts";
import { clientRequestId } from "../../../../actions/providers/azure/index.ts";
import { MATRIX_FAULTS, runScenario } from "./fault-matrix.ts";
import { diskId, vmId } from "./setup.ts";

const healthy = (row: { unknown: number; appliedTwice: number; restored: boolean; auditIntact: boolean }) =>
  expect({
    unknown: row.unknown,
    appliedTwice: row.appliedTwice,
    restored: row.restored,
    auditIntact: row.auditIntact,
  }).toEqual({
    unknown: 0,
    appliedTwice: 0,
    restored: true,
    auditIntact: true,
  });

const changes = (log: { method: string; call: string }[]) =>
  log.filter((e) => e.method !== "GET").map((e) => e.call);

describe("resize_vm through the executor", () => {
  it("no fault: deallocate, PATCH vmSize, start, each with its step's token; verifying", async () => {
    const { row, actions, log, replay } = await runScenario("resize_vm", "none");
    expect(row.outcome).toBe("verifying");
    healthy(row);
    const action = actions[0]!;
    expect(changes(log)).toEqual([
      "virtualMachines.deallocate",
      "virtualMachines.update",
      "virtualMachines.start",
    ]);
    const sent = log.filter((e) => e.method !== "GET");
    expect(sent.map((e) => e.clientRequestId)).toEqual([
      clientRequestId(stepToken(action, 0), "virtualMachines.deallocate"),
      clientRequestId(stepToken(action, 1), "virtualMachines.update"),
      clientRequestId(stepToken(action, 2), "virtualMachines.start"),
    ]);
    // Pre-flight read the VM and asked the Permissions API before the first change.
    const first = log.findIndex((e) => e.method !== "GET");
    expect(log.slice(0, first).map((e) => e.call)).toEqual(
      expect.arrayContaining(["virtualMachines.get", "permissions.list"]),
    );
    expect(replay.get(vmId("vm-1"))!.properties.hardwareProfile).toEqual({ vmSize: "Standard_D2s_v3" });
  }, 60_000);

  it("throttled resize: retried with the same token, applied once", async () => {
    const { row, log } = await runScenario("resize_vm", "throttle");
    expect(row.outcome).toBe("verifying");
    healthy(row);
    const updates = log.filter((e) => e.call === "virtualMachines.update");
    expect(updates.map((e) => [e.status, e.applied])).toEqual([
      [429, false],
      [200, true],
    ]);
    expect(updates[0]!.clientRequestId).toBe(updates[1]!.clientRequestId);
  }, 60_000);

  it("no capacity for the new size at start (AllocationFailed): undone, the VM back at its size and running", async () => {
    const { row, actions, replay } = await runScenario("resize_vm", "capacity");
    expect(row.outcome).toBe("rolled_back");
    healthy(row);
    expect(actions[0]!.error).toMatch(/capacity: virtualMachines.start: AllocationFailed/);
    expect(replay.get(vmId("vm-1"))!.properties.hardwareProfile).toEqual({ vmSize: "Standard_D4s_v3" });
    expect(replay.power.get(vmId("vm-1").toLowerCase())).toBe("running");
  }, 60_000);

  it("a resize that times out after it applied: reconciled by reading the VM, not sent again", async () => {
    const { row, log } = await runScenario("resize_vm", "timeout");
    expect(row.outcome).toBe("verifying");
    healthy(row);
    expect(
      log.filter((e) => e.call === "virtualMachines.update").map((e) => [e.fault ?? "", e.applied]),
    ).toEqual([["timeout", true]]);
  }, 60_000);

  it("a 5xx on the deallocate: retried, then the resize runs", async () => {
    const { row, log } = await runScenario("resize_vm", "5xx");
    expect(row.outcome).toBe("verifying");
    healthy(row);
    expect(log.filter((e) => e.call === "virtualMachines.deallocate").map((e) => e.status)).toEqual([
      500, 202,
    ]);
  }, 60_000);

  it("kill -9 between stop and modify: the next run reads the VM and finishes, nothing applied twice", async () => {
    const { row, log, childProblem } = await runScenario("resize_vm", "kill");
    expect(childProblem).toBeUndefined();
    expect(row.outcome).toBe("verifying");
    healthy(row);
    expect(changes(log)).toEqual([
      "virtualMachines.deallocate",
      "virtualMachines.update",
      "virtualMachines.start",
    ]);
  }, 120_000);

  it("kill -9 after the resize applied, before it was recorded: the rerun reads the VM and does not resize again", async () => {
    const { row, log, childProblem } = await runScenario("resize_vm", "kill_sent");
    expect(childProblem).toBeUndefined();
    expect(row.outcome).toBe("verifying");
    healthy(row);
    expect(log.filter((e) => e.call === "virtualMachines.update" && e.applied)).toHaveLength(1);
  }, 120_000);

  it("one VM of a batch always fails: it fails alone, unchanged; the other is resized", async () => {
    const { row, actions } = await runScenario("resize_vm", "batch");
    healthy(row);
    const by = Object.fromEntries(actions.map((a) => [a.resource_id, a.state]));
    expect(by).toEqual({ [vmId("vm-1")]: "verifying", [vmId("vm-2")]: "failed" });
  }, 60_000);
});

describe("snapshot_delete_disk through the executor", () => {
  it("no fault: snapshot (PUT cco-<action>), detach from the stopped VM, delete", async () => {
    const { row, actions, log, replay } = await runScenario("snapshot_delete_disk", "none");
    expect(row.outcome).toBe("verifying");
    healthy(row);
    expect(changes(log)).toEqual(["snapshots.createOrUpdate", "virtualMachines.update", "disks.delete"]);
    const action = actions[0]!;
    expect(log.find((e) => e.call === "snapshots.createOrUpdate")!.path).toMatch(
      new RegExp(`/snapshots/cco-${action.action_id}$`),
    );
    expect(action.outputs.snapshotId).toMatch(/\/snapshots\/cco-/);
    expect(replay.get(diskId("disk-1"))).toBeUndefined();
  }, 60_000);

  it("a snapshot that times out: re-sent with its token, the same PUT creates nothing new", async () => {
    const { row, log } = await runScenario("snapshot_delete_disk", "timeout");
    expect(row.outcome).toBe("verifying");
    healthy(row);
    const puts = log.filter((e) => e.call === "snapshots.createOrUpdate");
    expect(puts.map((e) => [e.fault ?? "", e.status, e.applied])).toEqual([
      ["timeout", 201, true],
      ["", 200, false],
    ]);
    expect(new Set(puts.map((e) => e.clientRequestId)).size).toBe(1);
  }, 60_000);

  it("throttled snapshot, a 5xx on the delete: retried, done once", async () => {
    for (const fault of ["throttle", "5xx"] as const) {
      const { row } = await runScenario("snapshot_delete_disk", fault);
      expect(row.outcome, fault).toBe("verifying");
      healthy(row);
    }
  }, 60_000);

  it("kill -9 between snapshot and delete: the rerun deletes once", async () => {
    const { row, log, childProblem } = await runScenario("snapshot_delete_disk", "kill");
    expect(childProblem).toBeUndefined();
    expect(row.outcome).toBe("verifying");
    healthy(row);
    expect(log.filter((e) => e.call === "disks.delete" && e.applied)).toHaveLength(1);
  }, 120_000);

  it("one disk of a batch cannot be deleted: its action is undone (the disk kept, the snapshot too), the other done", async () => {
    const { row, actions, replay } = await runScenario("snapshot_delete_disk", "batch");
    healthy(row);
    const by = Object.fromEntries(actions.map((a) => [a.resource_id, a.state]));
    expect(by).toEqual({ [diskId("disk-1")]: "verifying", [diskId("disk-2")]: "rolled_back" });
    expect(replay.get(diskId("disk-2"))!.managedBy).toBeTruthy();
  }, 60_000);
});

describe("change_disk_type across the fault matrix", () => {
  it.each(MATRIX_FAULTS)(
    "%s: settled, nothing twice, restored where undone, audit intact",
    async (fault) => {
      const { row } = await runScenario("change_disk_type", fault);
      expect(row.outcome).toBe(fault === "batch" ? "verifying+failed" : "verifying");
      healthy(row);
    },
    120_000,
  );
});
