/**
 * The rules over ops.approvals on a tiny demo estate: four-eyes by distinct people, expiry, a
 * changed recommendation needing approval again, reject and defer, what is due for the
 * executor, and escalation notices queued once.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { DecisionsRejectedError, decideOne } from "../../../actions/approvals/decisions.ts";
import { escalateWaiting } from "../../../actions/approvals/escalate.ts";
import { refreshApprovalQueue } from "../../../actions/approvals/queue.ts";
import { approvalStatus, dueApprovals } from "../../../actions/approvals/status.ts";
import type { Config } from "../../../core/config.ts";
import type { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { runDemo } from "../../helpers/demo.ts";

let warehouse: Warehouse;
let config: Config;
// After the demo's pipeline, which queues every row itself (approvals.csv) at its own time.
let t0: Date;
const day = (n: number) => new Date(t0.getTime() + n * 86_400_000);

beforeAll(async () => {
  ({ warehouse, config } = await runDemo(
    "generate:\n  resources: 60\n  days: 35\nnotifications:\n  channels:\n    - {type: webhook, name: hook, url: 'http://127.0.0.1:9/hook'}\n",
  ));
  t0 = new Date();
  await refreshApprovalQueue(warehouse, config, t0);
});

const first = async (detector: string) =>
  (
    await warehouse.all<{ id: string }>(
      "select recommendation_id as id from ops.approval_queue where detector = $1 order by recommendation_id limit 1",
      [detector],
    )
  )[0]!.id;
const stateOf = async (id: string, at: Date) =>
  (await approvalStatus(warehouse, config, at)).find((s) => s.recommendationId === id)!;
const dueIds = async (at: Date) => (await dueApprovals(warehouse, config, at)).map((d) => d.recommendationId);
const notices = async (event: string) =>
  (
    await warehouse.all<{ n: number }>(
      "select count(*)::integer as n from ops.notifications where event = $1",
      [event],
    )
  )[0]!.n;

describe("approval queue and status", () => {
  it("queues every open recommendation with its kind and approvers needed, announcing each once", async () => {
    const rows = await warehouse.all<Record<string, unknown>>(
      `select q.provider, q.detector, q.action_kind, q.irreversible, q.required_approvals, q.risk_level, q.top_risk_factor
       from ops.approval_queue q join marts.recommendations r using (recommendation_id) where r.status = 'open'`,
    );
    const [open] = await warehouse.all<{ n: number }>(
      "select count(*)::integer as n from marts.recommendations where status = 'open'",
    );
    expect(rows).toHaveLength(open!.n);
    expect(rows.find((r) => r.detector === "old_snapshot")).toMatchObject({
      action_kind: "delete_snapshot",
      irreversible: true,
      required_approvals: 2,
      risk_level: "high",
    });
    expect(rows.find((r) => r.detector === "commitment_purchase")).toMatchObject({ action_kind: null });
    expect(rows.filter((r) => r.action_kind === "stop_vm").length).toBeGreaterThan(0);
    expect(rows.every((r) => r.required_approvals === (r.risk_level === "high" ? 2 : 1))).toBe(true);
    expect(rows.find((r) => r.detector === "idle_vm")!.top_risk_factor).toMatch(
      /^criticality: Tagged environment/,
    );
    expect(await notices("approval_needed")).toBe(open!.n);
    const queuedAt = await warehouse.all(
      "select recommendation_id, queued_at from ops.approval_queue order by 1",
    );
    await refreshApprovalQueue(warehouse, config, day(1));
    expect(await notices("approval_needed")).toBe(open!.n);
    expect(
      await warehouse.all("select recommendation_id, queued_at from ops.approval_queue order by 1"),
    ).toEqual(queuedAt);
  });

  it("automates only providers an adapter can change: an OCI idle VM is done by hand", async () => {
    await warehouse.run(
      `insert into marts.recommendations select * replace ('oci-idle' as recommendation_id, 'oci' as provider)
       from marts.recommendations where detector = 'idle_vm' and status = 'open' limit 1`,
    );
    await refreshApprovalQueue(warehouse, config, t0);
    const [row] = await warehouse.all<{ action_kind: string | null }>(
      "select action_kind from ops.approval_queue where recommendation_id = 'oci-idle'",
    );
    expect(row).toEqual({ action_kind: null });
    await warehouse.run("delete from marts.recommendations where recommendation_id = 'oci-idle'");
    await refreshApprovalQueue(warehouse, config, t0);
  });

  it("needs two different people for a high-risk row; the same person twice counts once", async () => {
    const snapshot = await first("old_snapshot");
    await decideOne(warehouse, config, {
      recommendationId: snapshot,
      decision: "approve",
      approver: "alice",
      acknowledgeIrreversible: true,
      now: day(1),
    });
    expect(await stateOf(snapshot, day(1))).toMatchObject({ state: "waiting", approvals: 1, required: 2 });
    const again = await decideOne(warehouse, config, {
      recommendationId: snapshot,
      decision: "approve",
      approver: "alice",
      acknowledgeIrreversible: true,
      now: day(1.5),
    }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(DecisionsRejectedError);
    expect((again as Error).message).toMatch(
      /command line \(column decision\): alice already approved this version/,
    );
    expect(await dueIds(day(2))).not.toContain(snapshot);
    await decideOne(warehouse, config, {
      recommendationId: snapshot,
      decision: "approve",
      approver: "bob",
      acknowledgeIrreversible: true,
      now: day(2),
    });
    expect(await stateOf(snapshot, day(2))).toMatchObject({
      state: "approved",
      approvals: 2,
      approvers: ["alice", "bob"],
      acknowledged: true,
      // The pair stops being enough when alice's approval (the older) lapses.
      expiresAt: day(8),
    });
    const [due] = (await dueApprovals(warehouse, config, day(2))).filter(
      (d) => d.recommendationId === snapshot,
    );
    expect(due).toMatchObject({
      actionKind: "delete_snapshot",
      irreversible: true,
      acknowledgedIrreversible: true,
    });
    // Expiry: after alice's approval lapses one approval is left, and the row waits again.
    expect(await stateOf(snapshot, day(8.5))).toMatchObject({ state: "waiting", approvals: 1 });
    expect(await stateOf(snapshot, day(9.5))).toMatchObject({ state: "expired", approvals: 0 });
    expect(await dueIds(day(8.5))).not.toContain(snapshot);
  });

  it("runs an approval only after its execute_after, and never a row done by hand", async () => {
    const rightsizing = await first("rightsizing");
    const purchase = await first("commitment_purchase");
    await decideOne(warehouse, config, {
      recommendationId: rightsizing,
      decision: "approve",
      approver: "alice",
      executeAfter: day(3).toISOString(),
      now: day(1),
    });
    await decideOne(warehouse, config, {
      recommendationId: purchase,
      decision: "approve",
      approver: "alice",
      now: day(1),
    });
    expect(await stateOf(purchase, day(1))).toMatchObject({ state: "approved" });
    expect(await dueIds(day(2))).not.toContain(rightsizing);
    expect(await dueIds(day(3))).toContain(rightsizing);
    expect(await dueIds(day(3))).not.toContain(purchase);
  });

  it("reject stands until someone approves again; a defer lapses with its expiry", async () => {
    const [a, b] = (
      await warehouse.all<{ id: string }>(
        "select recommendation_id as id from ops.approval_queue where detector = 'schedule' order by 1 limit 2",
      )
    ).map((r) => r.id);
    await decideOne(warehouse, config, {
      recommendationId: a!,
      decision: "approve",
      approver: "alice",
      now: day(1),
    });
    await decideOne(warehouse, config, {
      recommendationId: a!,
      decision: "reject",
      approver: "bob",
      now: day(2),
    });
    expect(await stateOf(a!, day(2))).toMatchObject({ state: "rejected", approvals: 0 });
    expect(await stateOf(a!, day(30))).toMatchObject({ state: "rejected" });
    await decideOne(warehouse, config, {
      recommendationId: a!,
      decision: "approve",
      approver: "carol",
      now: day(3),
    });
    expect(await stateOf(a!, day(3))).toMatchObject({ state: "approved", approvers: ["carol"] });
    await decideOne(warehouse, config, {
      recommendationId: b!,
      decision: "defer",
      approver: "bob",
      now: day(1),
    });
    expect(await stateOf(b!, day(2))).toMatchObject({ state: "deferred" });
    expect(await stateOf(b!, day(9))).toMatchObject({ state: "waiting" });
  });

  it("asks again when the recommendation changes after approval (stale)", async () => {
    const rightsizing = await first("rightsizing");
    await warehouse.run(
      "update marts.recommendations set target_configuration = target_configuration || '-changed' where recommendation_id = $1",
      [rightsizing],
    );
    const before = await notices("approval_needed");
    await refreshApprovalQueue(warehouse, config, day(4));
    expect(await notices("approval_needed")).toBe(before + 1);
    expect(await stateOf(rightsizing, day(4))).toMatchObject({ state: "stale", approvals: 0 });
    expect(await dueIds(day(4))).not.toContain(rightsizing);
  });

  it("escalates a request waiting longer than escalate_after_days, once per version", async () => {
    const waiting = (await approvalStatus(warehouse, config, day(3.5)))
      .filter((s) => ["waiting", "stale", "expired"].includes(s.state) && s.queuedAt <= t0)
      .map((s) => s.recommendationId);
    const escalated = await escalateWaiting(warehouse, config, day(3.5));
    expect(escalated.sort()).toEqual(waiting.sort());
    expect(escalated.length).toBeGreaterThan(5);
    expect(await notices("escalation")).toBe(escalated.length);
    expect(await escalateWaiting(warehouse, config, day(3.6))).toEqual([]);
    // The changed rightsizing row was queued again at day 4: its new version escalates on its own clock.
    const rightsizing = await first("rightsizing");
    expect(escalated).not.toContain(rightsizing);
    expect(await escalateWaiting(warehouse, config, day(7.5))).toContain(rightsizing);
    expect(
      await warehouse.all(
        "select count(*)::integer as n from ops.audit_log where event = 'approval.escalated'",
      ),
    ).toEqual([{ n: await notices("escalation") }]);
  });
});
