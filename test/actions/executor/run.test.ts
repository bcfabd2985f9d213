/**
 * One run's choices: the kill switch, caps, skips with their reasons, the dry run (which calls
 * nothing that changes), irreversible kinds, and reconciling an action a crash interrupted.
 */
import { afterEach, describe, expect, it } from "vitest";
import { verifyAudit } from "../../../actions/audit/verify.ts";
import { setPaused } from "../../../actions/executor/control.ts";
import { runExecutor } from "../../../actions/executor/run.ts";
import type { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { Crash, FakeCloud, NOW, noSleep, type QueueSeed, vm, world } from "./fixture.ts";

let open: Warehouse | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

const stop = (n: number, extra: Partial<QueueSeed> = {}): QueueSeed => ({
  id: `rec-${n}`,
  detector: "idle_vm",
  kind: "stop_vm",
  resource: `i-${n}`,
  current: "m5.xlarge",
  ...extra,
});

async function setup(seeds: QueueSeed[], yaml = "actions:\n  mode: execute\n") {
  const w = await world(seeds, yaml);
  open = w.warehouse;
  const cloud = new FakeCloud(Object.fromEntries(seeds.map((s) => [s.resource, vm(s.resource)])));
  const run = (mode?: "dry_run" | "execute") =>
    runExecutor(w.warehouse, w.config, {
      trigger: "cli",
      now: NOW,
      mode,
      adapters: { aws: cloud },
      sleep: noSleep,
    });
  return { ...w, cloud, run };
}

describe("a run", () => {
  it("starts nothing while paused (config or cco actions pause), and records why", async () => {
    const { warehouse, cloud, run } = await setup([stop(1)]);
    await setPaused(warehouse, true, "carol", "incident 42");
    const paused = await run();
    expect(paused).toMatchObject({ paused: true, started: 0, outcome: "paused" });
    expect(paused.skipped).toEqual([{ recommendation_id: "rec-1", reason: "paused (carol)" }]);
    expect(cloud.log).toEqual([]);
    const [row] = await warehouse.all<{ skipped: string; outcome: string }>(
      "select skipped::varchar as skipped, outcome from ops.action_runs",
    );
    expect(JSON.parse(row!.skipped)[0].reason).toBe("paused (carol)");
    await setPaused(warehouse, false, "carol", null);
    expect((await run()).started).toBe(1);
  });

  it("honours the config flag too", async () => {
    const { cloud, run } = await setup([stop(1)], "actions:\n  mode: execute\n  paused: true\n");
    expect((await run()).skipped[0]!.reason).toMatch(/^paused \(config/);
    expect(cloud.log).toEqual([]);
  });

  it("applies the caps: number of actions, money per currency, changes in flight per account", async () => {
    const yaml = `actions:
  mode: execute
  caps: {max_actions: 3, max_monthly_savings: 250, max_concurrent_per_account: 2}
`;
    const { run } = await setup(
      [
        stop(1, { savings: 100 }),
        stop(2, { savings: 100 }),
        stop(3, { savings: 100 }), // 300 USD would pass 250
        stop(4, { savings: 100, currency: "EUR", account: "222" }),
        stop(5, { savings: 10, currency: "EUR", account: "222" }),
        stop(6, { savings: 10, currency: "EUR", account: "222" }), // a third in flight in 222
        stop(7, { savings: 1, currency: "GBP", account: "333" }), // a fourth action
      ],
      yaml,
    );
    const summary = await run();
    expect(summary.actions.map((a) => a.recommendation_id)).toEqual(["rec-1", "rec-2", "rec-4"]);
    const reasons = Object.fromEntries(summary.skipped.map((s) => [s.recommendation_id, s.reason]));
    expect(reasons["rec-3"]).toMatch(/max_monthly_savings 250 USD/);
    expect(reasons["rec-7"]).toMatch(/max_actions 3/);
    // rec-5 is refused by max_actions too once three started; the account cap is shown next.
    expect(Object.keys(reasons).sort()).toEqual(["rec-3", "rec-5", "rec-6", "rec-7"]);
  });

  it("counts changes still being verified from earlier runs against the account cap", async () => {
    const yaml = "actions:\n  mode: execute\n  caps: {max_concurrent_per_account: 1}\n";
    const { run } = await setup([stop(1), stop(2)], yaml);
    const first = await run();
    expect(first.started).toBe(1);
    expect(first.skipped[0]!.reason).toMatch(
      /max_concurrent_per_account 1 changes in flight in 111111111111/,
    );
    const second = await run();
    expect(second.skipped.map((s) => s.reason)).toEqual([
      expect.stringMatching(/already verifying/),
      expect.stringMatching(/max_concurrent_per_account/),
    ]);
  });

  it("dry run: records the plan and every call it would make, and performs nothing", async () => {
    const { warehouse, cloud, run } = await setup([
      stop(1),
      {
        id: "rec-2",
        detector: "rightsizing",
        kind: "resize_vm",
        resource: "i-2",
        current: "m5.xlarge",
        target: "m5.large",
      },
    ]);
    const summary = await run("dry_run");
    expect(summary.actions.map((a) => a.state)).toEqual(["planned", "planned"]);
    expect(cloud.performed()).toEqual([]);
    expect(cloud.log.every((l) => l.call === "checkPermissions")).toBe(true);
    const planned = await warehouse.all<{ call: string }>(
      "select call from ops.action_events where detail ->> 'dry_run' = 'true' and call is not null order by occurred_at, rowid",
    );
    expect(planned.map((p) => p.call)).toEqual(["stop_vm", "stop_vm", "resize_vm", "start_vm"]);
    // A dry run does not count as done: the real run starts both.
    expect((await run("execute")).started).toBe(2);
    expect((await verifyAudit(warehouse)).intact).toBe(true);
  });

  it("skips irreversible kinds the approval does not acknowledge; records what is lost before the rest", async () => {
    const { warehouse, cloud, run } = await setup([
      {
        id: "rec-a",
        detector: "idle_address",
        kind: "release_address",
        resource: "eip-1",
        current: "public IPv4, unassociated",
        irreversible: true,
      },
      {
        id: "rec-b",
        detector: "idle_address",
        kind: "release_address",
        resource: "eip-2",
        current: "public IPv4, unassociated",
        irreversible: true,
        acknowledge: true,
      },
    ]);
    for (const id of ["eip-1", "eip-2"])
      cloud.resources[id] = {
        resourceId: id,
        provider: "aws",
        kind: "ip",
        exists: true,
        status: "idle",
        attachedTo: [],
        tags: { app: "legacy" },
      };
    const summary = await run();
    expect(summary.skipped).toEqual([
      {
        recommendation_id: "rec-a",
        reason: "release_address is irreversible and the approval does not acknowledge it",
      },
    ]);
    expect(cloud.applied().map((l) => l.resourceId)).toEqual(["eip-2"]);
    const events = await warehouse.all<{ event: string }>("select event from ops.audit_log order by seq");
    const lost = events.findIndex((e) => e.event === "action.irreversible");
    const request = events.findIndex((e) => e.event === "provider.request");
    expect(lost).toBeGreaterThan(-1);
    expect(lost).toBeLessThan(request);
  });

  it("skips rows it cannot parse, naming the queue row and column", async () => {
    const { warehouse, run } = await setup([
      {
        id: "rec-9",
        detector: "rightsizing",
        kind: "resize_vm",
        resource: "i-9",
        current: "m5.xlarge",
        target: null,
      },
    ]);
    await run();
    const [a] = await warehouse.all<{ state: string; error: string }>("select state, error from ops.actions");
    expect(a!.state).toBe("failed");
    expect(a!.error).toMatch(
      /ops.approval_queue, recommendation rec-9, column target_configuration: the target size is missing/,
    );
  });
});

describe("after a crash", () => {
  it("finds a step applied but not recorded, records it, and finishes without sending it again", async () => {
    const { warehouse, cloud, run } = await setup([
      {
        id: "rec-1",
        detector: "rightsizing",
        kind: "resize_vm",
        resource: "i-1",
        current: "m5.xlarge",
        target: "m5.large",
      },
    ]);
    cloud.crashAfter = "resize_vm";
    await expect(run()).rejects.toThrow(Crash);
    const [mid] = await warehouse.all<{ state: string; step: number }>("select state, step from ops.actions");
    expect(mid).toEqual({ state: "executing", step: 1 });
    const summary = await run();
    expect(summary.recovered).toBe(1);
    const [after] = await warehouse.all<{ state: string; step: number }>(
      "select state, step from ops.actions",
    );
    expect(after).toEqual({ state: "verifying", step: 3 });
    expect(cloud.performed().map((l) => l.op)).toEqual(["stop_vm", "resize_vm", "start_vm"]);
    const recovered = await warehouse.all<{ detail: string }>(
      "select detail::varchar as detail from ops.action_events where detail ->> 'resolution' is not null",
    );
    expect(JSON.parse(recovered[0]!.detail).resolution).toMatch(/applied before the crash/);
  });

  it("needs attention when the resource is neither as before nor as after the interrupted step", async () => {
    const { warehouse, cloud, run } = await setup([stop(1)]);
    cloud.crashAfter = "stop_vm";
    await expect(run()).rejects.toThrow(Crash);
    cloud.resources["i-1"]!.status = "terminated";
    await run();
    const [a] = await warehouse.all<{ state: string; error: string }>("select state, error from ops.actions");
    expect(a!.state).toBe("needs_attention");
    expect(a!.error).toMatch(/neither as before nor as after it/);
  });
});
