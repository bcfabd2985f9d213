/**
 * The executor's state machine against an in-test adapter: the happy path, verification (pass
 * and a planted saturation rolled back), retries and timeouts, a failed step undone, pre-flight
 * refusals, and the records every step leaves (events, audit chain, notifications).
 */
import { afterEach, describe, expect, it } from "vitest";
import { verifyAudit } from "../../../actions/audit/verify.ts";
import { rollbackAction } from "../../../actions/executor/rollback.ts";
import { runExecutor } from "../../../actions/executor/run.ts";
import { ProviderError } from "../../../actions/providers/adapter.ts";
import type { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { FakeCloud, NOW, noSleep, vm, world } from "./fixture.ts";

const HOOK = `actions:
  mode: execute
notifications:
  channels:
    - {type: webhook, name: hook, url: "http://127.0.0.1:9/x"}
`;
const RESIZE = {
  id: "rec-1",
  detector: "rightsizing",
  kind: "resize_vm",
  resource: "i-1",
  current: "m5.xlarge",
  target: "m5.large",
};

let open: Warehouse | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

async function setup(yaml = HOOK, seeds = [RESIZE]) {
  const w = await world(seeds, yaml);
  open = w.warehouse;
  const cloud = new FakeCloud({ "i-1": vm("i-1") });
  const run = () =>
    runExecutor(w.warehouse, w.config, {
      trigger: "cli",
      now: NOW,
      adapters: { aws: cloud },
      sleep: noSleep,
    });
  return { ...w, cloud, run };
}

const states = async (w: Warehouse) =>
  (
    await w.all<{ to_state: string }>(
      "select to_state from ops.action_events where to_state is not null order by occurred_at, rowid",
    )
  ).map((r) => r.to_state);
const notices = async (w: Warehouse) =>
  (await w.all<{ event: string }>("select event from ops.notifications order by created_at, rowid")).map(
    (r) => r.event,
  );

describe("the state machine", () => {
  it("executes, verifies after the window and succeeds, each step with its own token", async () => {
    const { warehouse, cloud, run } = await setup();
    const first = await run();
    expect(first.actions).toMatchObject([{ kind: "resize_vm", state: "verifying" }]);
    expect(cloud.applied().map((l) => l.op)).toEqual(["stop_vm", "resize_vm", "start_vm"]);
    const tokens = cloud.applied().map((l) => l.token);
    expect(new Set(tokens).size).toBe(3);
    expect(tokens.every((t) => t.endsWith(`:${tokens.indexOf(t)}`))).toBe(true);
    expect(cloud.resources["i-1"]).toMatchObject({ size: "m5.large", status: "running" });

    // Before the window: still verifying; after it: judged on the metrics.
    expect((await run()).verified).toBe(0);
    cloud.advanceHours(25);
    expect((await run()).verified).toBe(1);
    const [action] = await warehouse.all<{ state: string; verification: string }>(
      "select state, verification::varchar as verification from ops.actions",
    );
    expect(action!.state).toBe("succeeded");
    expect(JSON.parse(action!.verification)).toMatchObject({ decision: "passed", cpu_p95_pct: 30 });
    expect(await states(warehouse)).toEqual(["approved", "preflight", "executing", "verifying", "succeeded"]);
    expect(await notices(warehouse)).toEqual(["executed"]);
    expect((await verifyAudit(warehouse)).intact).toBe(true);
    // Every provider call has its intent and its result on the record.
    const calls = await warehouse.all<{ n: number }>(
      "select count(*)::integer as n from ops.audit_log where event in ('provider.request', 'provider.call')",
    );
    expect(calls[0]!.n).toBe(6);
  });

  it("keeps verifying when the metrics stay throttled, and asks a person when they are denied", async () => {
    const { warehouse, cloud, run } = await setup();
    await run();
    cloud.advanceHours(25);
    const read = cloud.metrics.bind(cloud);
    let reads = 0;
    cloud.metrics = async () => {
      reads += 1;
      throw new ProviderError("throttled", "Rate exceeded");
    };
    // Retried, still throttled: this run judges nothing and fails nothing.
    const throttled = await run();
    expect(throttled.verified).toBe(0);
    expect(reads).toBeGreaterThan(1);
    expect((await warehouse.all("select state from ops.actions"))[0]).toEqual({ state: "verifying" });
    // Readable again: judged as usual.
    cloud.metrics = read;
    expect((await run()).verified).toBe(1);
    expect((await warehouse.all("select state from ops.actions"))[0]).toEqual({ state: "succeeded" });

    const second = await setup();
    await second.run();
    second.cloud.advanceHours(25);
    second.cloud.metrics = async () => {
      throw new ProviderError("denied", "not authorized to perform cloudwatch:GetMetricData");
    };
    await second.run();
    const [action] = await second.warehouse.all<{ state: string; verification: string }>(
      "select state, verification::varchar as verification from ops.actions",
    );
    expect(action!.state).toBe("needs_attention");
    expect(JSON.parse(action!.verification)).toEqual({ decision: "metrics unreadable", code: "denied" });
  });

  it("rolls back a change that saturates the VM after it (verification_failed, rolled_back)", async () => {
    const { warehouse, cloud, run } = await setup();
    await run();
    cloud.cpu = 97;
    cloud.advanceHours(25);
    await run();
    const [action] = await warehouse.all<{ state: string; error: string }>(
      "select state, error from ops.actions",
    );
    expect(action).toMatchObject({ state: "rolled_back" });
    expect(action!.error).toMatch(/P95 CPU 97% is above cpu_p95_max_pct 90%/);
    expect(cloud.applied().map((l) => l.op)).toEqual([
      "stop_vm",
      "resize_vm",
      "start_vm",
      "stop_vm",
      "resize_vm",
      "start_vm",
    ]);
    expect(cloud.resources["i-1"]).toMatchObject({ size: "m5.xlarge", status: "running" });
    expect(await notices(warehouse)).toEqual(["verification_failed", "rolled_back"]);
    expect(await states(warehouse)).toEqual([
      "approved",
      "preflight",
      "executing",
      "verifying",
      "rolling_back",
      "rolled_back",
    ]);
    expect((await verifyAudit(warehouse)).intact).toBe(true);
  });

  it("retries throttling with the same token, and settles a timeout by describe() without a second apply", async () => {
    const { warehouse, cloud, run } = await setup();
    cloud.failures.push({
      op: "stop_vm",
      error: new ProviderError("throttled", "RequestLimitExceeded"),
      times: 2,
    });
    cloud.timeoutAfter = "resize_vm";
    await run();
    const stops = cloud.performed().filter((l) => l.op === "stop_vm");
    expect(stops.map((l) => l.outcome)).toEqual(["throttled", "throttled", "ok"]);
    expect(new Set(stops.map((l) => l.token)).size).toBe(1);
    expect(cloud.performed().filter((l) => l.op === "resize_vm")).toHaveLength(1);
    const [action] = await warehouse.all<{ state: string; step: number }>(
      "select state, step from ops.actions",
    );
    expect(action).toEqual({ state: "verifying", step: 3 });
  });

  it("undoes the steps done when a later one fails for good (a capacity error on start)", async () => {
    const { warehouse, cloud, run } = await setup();
    cloud.failures.push({
      op: "start_vm",
      error: new ProviderError("capacity", "InsufficientInstanceCapacity"),
      times: 1,
    });
    await run();
    const [action] = await warehouse.all<{ state: string; error: string }>(
      "select state, error from ops.actions",
    );
    expect(action!.state).toBe("rolled_back");
    expect(action!.error).toMatch(/step 2 \(start_vm\) failed: capacity/);
    expect(cloud.resources["i-1"]).toMatchObject({ size: "m5.xlarge", status: "running" });
  });

  it("fails without changing anything when the first step is refused", async () => {
    const { warehouse, cloud, run } = await setup();
    cloud.failures.push({
      op: "stop_vm",
      error: new ProviderError("invalid", "IncorrectInstanceState"),
      times: 1,
    });
    await run();
    const [action] = await warehouse.all<{ state: string }>("select state from ops.actions");
    expect(action!.state).toBe("failed");
    expect(cloud.applied()).toEqual([]);
  });

  it("rolls back a succeeded action on request (cco actions rollback)", async () => {
    const { warehouse, config, cloud, run } = await setup();
    await run();
    cloud.advanceHours(25);
    await run();
    const [{ action_id }] = (await warehouse.all<{ action_id: string }>(
      "select action_id from ops.actions",
    )) as [{ action_id: string }];
    const undone = await rollbackAction(warehouse, config, action_id, "bob", {
      adapters: { aws: cloud },
      sleep: noSleep,
    });
    expect(undone.state).toBe("rolled_back");
    expect(cloud.resources["i-1"]).toMatchObject({ size: "m5.xlarge" });
    await expect(
      rollbackAction(warehouse, config, action_id, "bob", { adapters: { aws: cloud } }),
    ).rejects.toThrow(/is rolled_back: only a succeeded or verifying action/);
  });
});

describe("pre-flight", () => {
  const refused = async (prepare: (cloud: FakeCloud) => void, reason: RegExp, yaml = HOOK) => {
    const { warehouse, cloud, run } = await setup(yaml);
    prepare(cloud);
    await run();
    const [action] = await warehouse.all<{ state: string; error: string }>(
      "select state, error from ops.actions",
    );
    expect(action!.state).toBe("failed");
    expect(action!.error).toMatch(reason);
    expect(cloud.performed()).toEqual([]);
  };

  it("refuses a resource that is gone", () =>
    refused((c) => delete c.resources["i-1"], /i-1 does not exist/));
  it("refuses a resource whose size changed since the recommendation", () =>
    refused(
      (c) => (c.resources["i-1"]!.size = "m5.2xlarge"),
      /changed since it was recommended: size is m5.2xlarge, expected m5.xlarge/,
    ));
  it("refuses a protected tag", () =>
    refused((c) => (c.resources["i-1"]!.tags["do-not-touch"] = "TRUE"), /protected tag do-not-touch=TRUE/));
  it("refuses when the provider's permission check denies a step", () =>
    refused(
      (c) => c.denied.add("resize_vm"),
      /permission check for resize_vm failed .*ec2:ModifyInstanceAttribute/,
    ));
  it("refuses outside a maintenance window named by a live tag", () =>
    refused(
      (c) => (c.resources["i-1"]!.tags.env = "prod"),
      /outside its maintenance window prod-nights/,
      `actions:
  mode: execute
  maintenance_windows:
    - {name: prod-nights, tags: {env: prod}, start: "22:00", end: "04:00", timezone: Europe/Paris}
`,
    ));
  it("refuses a VM in a state the kind cannot start from", () =>
    refused((c) => (c.resources["i-1"]!.status = "terminated"), /cannot start from status terminated/));
});
