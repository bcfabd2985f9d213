/**
 * The executor end to end with the GCP adapter against the replay server: resize_vm,
 * snapshot_delete_disk and stop_vm under each fault of the matrix (fault-matrix.ts), each cell
 * in a fresh warehouse and a fresh replay. Afterwards: no action in an unknown state, no change
 * applied twice, each resource as the change left it or back at its recorded prior state, the
 * audit chain intact; and per cell, the outcome and the calls that show it.
 */
import { describe, expect, it } from "vitest";
import { requestIdFor } from "../../../../actions/providers/gcp/ids.ts";
import { tempDir } from "../../../helpers/tmp.ts";
import { MATRIX_FAULTS, runCell } from "./fault-matrix.ts";

const cell = (kind: Parameters<typeof runCell>[0], fault: Parameters<typeof runCell>[1]) =>
  runCell(kind, fault, tempDir("cco-gcp-exec-"));

const promises = (row: Awaited<ReturnType<typeof runCell>>) => {
  expect(row.unknown, row.outcome).toBe(0);
  expect(row.appliedTwice, row.outcome).toBe(0);
  expect(row.restored, row.outcome).toBe(true);
  expect(row.auditIntact).toBe(true);
};

const mutations = (row: Awaited<ReturnType<typeof runCell>>) =>
  row.replay.log.filter((l) => l.requestId).map((l) => `${l.method} ${l.resource} ${l.outcome}`);

describe("resize_vm on GCP through the executor", () => {
  it("none: stop, setMachineType, start, each once", async () => {
    const row = await cell("resize_vm", "none");
    promises(row);
    expect(row.actions.map((a) => a.state)).toEqual(["verifying"]);
    expect(mutations(row)).toEqual([
      "instances.stop web-1 ok",
      "instances.setMachineType web-1 ok",
      "instances.start web-1 ok",
    ]);
  });

  it("throttle: the modify is retried with the same requestId until it applies", async () => {
    const row = await cell("resize_vm", "throttle");
    promises(row);
    const modify = row.replay.log.filter((l) => l.method === "instances.setMachineType");
    expect(modify.map((l) => l.outcome)).toEqual(["throttle", "throttle", "ok"]);
    expect(new Set(modify.map((l) => l.requestId)).size).toBe(1);
    expect(row.actions.map((a) => a.state)).toEqual(["verifying"]);
  });

  it("capacity on the start at the new size: undone, the VM back at its size and running", async () => {
    const row = await cell("resize_vm", "capacity");
    promises(row);
    expect(row.actions.map((a) => a.state)).toEqual(["rolled_back"]);
    expect(mutations(row)).toEqual([
      "instances.stop web-1 ok",
      "instances.setMachineType web-1 ok",
      "instances.start web-1 capacity",
      "instances.setMachineType web-1 ok",
      "instances.start web-1 ok",
    ]);
    const vm = row.replay.get("acme/zones/europe-west4-a/instances/web-1")!;
    expect([vm.status, String(vm.machineType).split("/").pop()]).toEqual(["RUNNING", "n2-standard-4"]);
  });

  it("timeout: the modify landed, the executor reconciles by reading the VM and does not re-send", async () => {
    const row = await cell("resize_vm", "timeout");
    promises(row);
    expect(row.actions.map((a) => a.state)).toEqual(["verifying"]);
    expect(
      row.replay.log.filter((l) => l.method === "instances.setMachineType").map((l) => l.outcome),
    ).toEqual(["timeout"]);
  });

  it("5xx: retried once with the same requestId", async () => {
    const row = await cell("resize_vm", "5xx");
    promises(row);
    const modify = row.replay.log.filter((l) => l.method === "instances.setMachineType");
    expect(modify.map((l) => l.outcome)).toEqual(["server", "ok"]);
    expect(modify[0]!.requestId).toBe(modify[1]!.requestId);
  });

  it("kill -9 between stop and modify: the rerun finds the VM stopped, modifies and starts, nothing twice", async () => {
    const row = await cell("resize_vm", "kill");
    promises(row);
    expect(row.outcome).toMatch(/^killed: SIGKILL; rerun exit 0/);
    expect(mutations(row)).toEqual([
      "instances.stop web-1 ok",
      "instances.setMachineType web-1 ok",
      "instances.start web-1 ok",
    ]);
  }, 120_000);

  it("batch: the second (stopped) VM's modify always fails: it fails with nothing changed, the first goes on", async () => {
    const row = await cell("resize_vm", "batch");
    promises(row);
    expect(row.actions.map((a) => [a.resource_id.split("/").pop(), a.state])).toEqual([
      ["batch-1", "failed"],
      ["web-1", "verifying"],
    ]);
  });
});

describe("snapshot_delete_disk on GCP through the executor", () => {
  it("none: snapshot (with the token's requestId), detach from the stopped VM, delete", async () => {
    const row = await cell("snapshot_delete_disk", "none");
    promises(row);
    expect(mutations(row)).toEqual([
      "disks.createSnapshot batch-data ok",
      "instances.detachDisk batch-1 ok",
      "disks.delete batch-data ok",
    ]);
    const snap = row.replay.log.find((l) => l.method === "disks.createSnapshot")!;
    expect(snap.requestId).toBe(requestIdFor(`${row.actions[0]!.idempotency_token}:0`, "createSnapshot"));
  });

  it.each(MATRIX_FAULTS.filter((f) => f !== "none"))(
    "%s",
    async (fault) => {
      const row = await cell("snapshot_delete_disk", fault);
      promises(row);
      const states = row.actions.map((a) => a.state);
      if (fault === "capacity") {
        // The delete refused after the detach: the adapter re-attaches, the step changed nothing.
        expect(states).toEqual(["rolled_back"]);
        expect(mutations(row).slice(1)).toEqual([
          "instances.detachDisk batch-1 ok",
          "disks.delete batch-data capacity",
          "instances.attachDisk batch-1 ok",
        ]);
      } else if (fault === "batch") expect(states).toEqual(["verifying", "rolled_back"]);
      else expect(states).toEqual(["verifying"]);
      // The snapshot is taken once whatever happens.
      expect(
        row.replay
          .applied()
          .filter((l) => l.method === "disks.createSnapshot" && l.resource === "batch-data"),
      ).toHaveLength(1);
    },
    120_000,
  );
});

describe("stop_vm on GCP through the executor", () => {
  it.each(MATRIX_FAULTS)(
    "%s",
    async (fault) => {
      const row = await cell("stop_vm", fault);
      promises(row);
      expect(
        row.replay.applied().filter((l) => l.method === "instances.stop" && l.resource === "web-1").length,
      ).toBeLessThanOrEqual(1);
    },
    120_000,
  );
});
