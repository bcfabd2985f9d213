/**
 * End to end: the executor (runExecutor) with the real AWS adapter against the replay server,
 * for resize_vm and snapshot_delete_disk (and change_disk_type in the matrix), under each fault:
 * the calls in order, the tokens retried, and afterwards no action in an unknown state, nothing
 * applied twice, the undo back at the recorded prior state, and an intact audit chain.
 */
import { afterEach, describe, expect, it } from "vitest";
import { FAULTS, KINDS_TESTED, runScenario, type ScenarioResult } from "./scenario.ts";

let open: ScenarioResult | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

async function scenario(...args: Parameters<typeof runScenario>): Promise<ScenarioResult> {
  open = await runScenario(...args);
  expect(open.row).toMatchObject({ unknown: 0, appliedTwice: 0, restored: true, auditIntact: true });
  return open;
}

/** The executor's record of one call: each attempt's token and error code, from ops.action_events. */
async function events(result: ScenarioResult, call: string) {
  const rows = await result.warehouse.all<{ detail: string }>(
    "select detail::varchar as detail from ops.action_events where call = $1 order by occurred_at",
    [call],
  );
  return rows.map(
    (r) =>
      JSON.parse(r.detail) as {
        idempotency_token?: string;
        code?: string;
        attempt?: number;
        retry?: boolean;
      },
  );
}

const requests = (r: ScenarioResult, action: string) =>
  r.replay.log.filter((x) => x.action === action && !x.dryRun).map((x) => x.outcome);

describe("resize_vm through EC2", () => {
  it("pre-flights with DryRun, then stops, modifies the type and starts", async () => {
    const r = await scenario("resize_vm", "none");
    expect(r.replay.log.filter((x) => x.dryRun).map((x) => `${x.action} ${x.outcome}`)).toEqual([
      "StopInstances DryRunOperation",
      "ModifyInstanceAttribute DryRunOperation",
      "StartInstances DryRunOperation",
    ]);
    expect(r.replay.changes()).toEqual([
      "StopInstances i-0web1",
      "ModifyInstanceAttribute i-0web1",
      "StartInstances i-0web1",
    ]);
    expect(r.replay.estate.instances.get("i-0web1")).toMatchObject({ state: "running", type: "m5.large" });
    expect(r.actions[0]!.state).toBe("verifying");
  });

  it("throttling is retried with the step's own token until it passes", async () => {
    const r = await scenario("resize_vm", "throttle");
    expect(requests(r, "StopInstances")).toEqual(["RequestLimitExceeded", "RequestLimitExceeded", "ok"]);
    const stop = await events(r, "stop_vm");
    const tokens = new Set(stop.map((e) => e.idempotency_token).filter(Boolean));
    expect(tokens.size).toBe(1);
    expect(stop.filter((e) => e.code === "throttled").map((e) => [e.attempt, e.retry])).toEqual([
      [1, true],
      [2, true],
    ]);
  });

  it("a capacity error at the start is undone: the VM is back at its size and running", async () => {
    const r = await scenario("resize_vm", "capacity");
    expect(
      r.replay.log
        .filter((x) => !x.dryRun && !x.action.startsWith("Describe"))
        .map((x) => `${x.action} ${x.params["InstanceType.Value"] ?? ""} ${x.outcome}`.replace("  ", " ")),
    ).toEqual([
      "StopInstances ok",
      "ModifyInstanceAttribute m5.large ok",
      "StartInstances InsufficientInstanceCapacity",
      "ModifyInstanceAttribute m5.xlarge ok",
      "StartInstances ok",
    ]);
    expect(r.actions[0]!.state).toBe("rolled_back");
    expect(r.replay.estate.instances.get("i-0web1")).toMatchObject({ state: "running", type: "m5.xlarge" });
  });

  it("a timeout on the type change is reconciled by reading the instance: applied once, never re-sent", async () => {
    const r = await scenario("resize_vm", "timeout");
    expect(r.replay.log.filter((x) => x.action === "ModifyInstanceAttribute" && !x.dryRun)).toMatchObject([
      { applied: true, fault: "timeout" },
    ]);
    expect(
      (await events(r, "resize_vm")).some((e) => JSON.stringify(e).includes("timed out, but landed")),
    ).toBe(true);
    expect(r.actions[0]!.state).toBe("verifying");
  });

  it("a 5xx is retried", async () => {
    const r = await scenario("resize_vm", "5xx");
    expect(requests(r, "ModifyInstanceAttribute")).toEqual(["InternalError", "ok"]);
  });

  it("kill -9 between stop and modify: the rerun reads the stopped VM at its old size and sends the modify", async () => {
    const r = await scenario("resize_vm", "kill between steps");
    expect(r.replay.changes()).toEqual([
      "StopInstances i-0web1",
      "ModifyInstanceAttribute i-0web1",
      "StartInstances i-0web1",
    ]);
    const recovered = await r.warehouse.all<{ n: number }>(
      "select count(*)::int as n from ops.action_events where detail::varchar like '%not applied: sent now%'",
    );
    expect(recovered[0]!.n).toBe(1);
  });

  it("a batch with one failing instance: the others change, the failing one fails untouched", async () => {
    const r = await scenario("resize_vm", "batch partial failure");
    expect(r.actions.map((a) => `${a.resource_id} ${a.state}`).sort()).toEqual([
      "i-0web1 verifying",
      "i-0web2 failed",
      "i-0web3 verifying",
    ]);
    expect(requests(r, "StopInstances").filter((o) => o === "InternalError")).toHaveLength(5);
    expect(r.replay.estate.instances.get("i-0web2")).toMatchObject({ state: "running", type: "m5.xlarge" });
  });
});

describe("snapshot_delete_disk through EC2", () => {
  it("snapshots (tagged with the token), detaches from the stopped VM, deletes", async () => {
    const r = await scenario("snapshot_delete_disk", "none");
    expect(r.replay.changes()).toEqual([
      "CreateSnapshot vol-0data1",
      "DetachVolume vol-0data1",
      "DeleteVolume vol-0data1",
    ]);
    const token = r.replay.log.find((x) => x.action === "CreateSnapshot" && !x.dryRun)!.token;
    expect(token).toBe(`${r.actions[0]!.idempotency_token}:0`);
    expect(r.actions[0]!.outputs.snapshotId).toMatch(/^arn:aws:ec2:us-east-1:111122223333:snapshot\/snap-/);
  });

  it("a timeout on the snapshot: re-sent with its token, which finds the snapshot instead of taking another", async () => {
    const r = await scenario("snapshot_delete_disk", "timeout");
    expect(r.replay.log.filter((x) => x.action === "CreateSnapshot" && !x.dryRun)).toHaveLength(1);
    expect(r.replay.estate.snapshots.size).toBe(1);
    expect(r.actions[0]!.state).toBe("verifying");
  });

  it("a capacity error on the delete leaves the disk as it was (rolled back, snapshot kept)", async () => {
    const r = await scenario("snapshot_delete_disk", "capacity");
    expect(r.actions[0]!.state).toBe("rolled_back");
    expect(r.replay.estate.volumes.get("vol-0data1")).toBeDefined();
  });

  it("kill -9 between the snapshot and the delete: the rerun deletes once, no second snapshot", async () => {
    const r = await scenario("snapshot_delete_disk", "kill between steps");
    expect(r.replay.changes()).toEqual([
      "CreateSnapshot vol-0data1",
      "DetachVolume vol-0data1",
      "DeleteVolume vol-0data1",
    ]);
  });

  it("rollback after the delete restores the disk from the snapshot and re-attaches it where it was", async () => {
    const r = await scenario("snapshot_delete_disk", "none");
    const { rollbackAction } = await import("../../../../actions/executor/rollback.ts");
    const { adapterFor } = await import("./adapter-options.ts");
    const adapter = adapterFor(r.config, r.replay.url);
    try {
      const action = await rollbackAction(r.warehouse, r.config, r.actions[0]!.action_id, "alice", {
        adapters: { aws: adapter },
        sleep: async () => {},
      });
      expect(action.state).toBe("rolled_back");
    } finally {
      adapter.close();
    }
    const create = r.replay.log.find((x) => x.action === "CreateVolume" && !x.dryRun)!;
    expect(create.params).toMatchObject({
      AvailabilityZone: "us-east-1a",
      VolumeType: "gp2",
      ClientToken: `${r.actions[0]!.idempotency_token}:undo:0`,
    });
    const restored = [...r.replay.estate.volumes.values()].find((v) => v.snapshotId);
    expect(restored).toMatchObject({
      state: "in-use",
      type: "gp2",
      size: 100,
      attachments: [{ instanceId: "i-0old1", device: "/dev/sdf" }],
    });
  });
});

describe("the fault matrix", () => {
  it.each(KINDS_TESTED.flatMap((k) => FAULTS.map((f) => [k, f] as const)))(
    "%s under %s: nothing unknown, nothing twice, restored, audit intact",
    async (kind, fault) => {
      await scenario(kind, fault);
    },
    60_000,
  );
});
