import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { syncAuditHead } from "../../../actions/audit/head.ts";
import { appendAudit, entryHash } from "../../../actions/audit/log.ts";
import { verifyAudit } from "../../../actions/audit/verify.ts";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { tempDir } from "../../helpers/tmp.ts";

const root = tempDir();
const opened: Warehouse[] = [];
let n = 0;
afterEach(async () => {
  for (const w of opened.splice(0)) await w.close();
});

/** A fresh warehouse in its own folder with `count` entries appended one call at a time. */
async function logWith(count: number): Promise<{ warehouse: Warehouse; dir: string }> {
  const dir = path.join(root, `w${++n}`);
  const warehouse = await Warehouse.open({ path: path.join(dir, "warehouse.duckdb"), threads: 1 });
  opened.push(warehouse);
  for (let i = 1; i <= count; i++)
    await appendAudit(warehouse, {
      actor: "alice",
      event: "approval.decided",
      subject: `rec-${i}`,
      detail: { decision: "approve", savings: "12.50", i },
    });
  return { warehouse, dir };
}

const head = (dir: string) => JSON.parse(readFileSync(path.join(dir, "audit-head.json"), "utf8"));

describe("the audit chain", () => {
  it("verifies an untouched log and anchors its head next to the warehouse", async () => {
    const { warehouse, dir } = await logWith(5);
    await appendAudit(
      warehouse,
      { actor: "cco:executor", event: "action.state", subject: "act-1", detail: { to: "preflight" } },
      { actor: "cco:executor", event: "action.state", subject: "act-1", detail: { to: "executing" } },
    );
    const result = await verifyAudit(warehouse);
    expect(result).toMatchObject({ intact: true, entries: 7, problem: null, warnings: [] });
    expect(result.head?.seq).toBe(7);
    expect(head(dir)).toMatchObject({ seq: 7, hash: result.head?.hash });
  });

  it("reports an edited entry by its seq", async () => {
    const { warehouse } = await logWith(6);
    await warehouse.run(
      `update ops.audit_log set detail = '{"decision":"reject","savings":"12.50","i":3}' where seq = 3`,
    );
    expect((await verifyAudit(warehouse)).problem).toMatchObject({ seq: 3, reason: "edited" });
  });

  it("reports an edited actor, event or time as an edit too", async () => {
    const { warehouse } = await logWith(4);
    await warehouse.run("update ops.audit_log set actor = 'mallory' where seq = 2");
    expect((await verifyAudit(warehouse)).problem).toMatchObject({ seq: 2, reason: "edited" });
    await warehouse.run("update ops.audit_log set actor = 'alice' where seq = 2");
    expect((await verifyAudit(warehouse)).intact).toBe(true);
    await warehouse.run("update ops.audit_log set logged_at = logged_at + interval 1 second where seq = 4");
    expect((await verifyAudit(warehouse)).problem).toMatchObject({ seq: 4, reason: "edited" });
  });

  it("reports a deleted entry as a gap, naming the missing seq", async () => {
    const { warehouse } = await logWith(6);
    await warehouse.run("delete from ops.audit_log where seq = 4");
    const result = await verifyAudit(warehouse);
    expect(result.intact).toBe(false);
    expect(result.problem).toMatchObject({ seq: 4, reason: "gap" });
    expect(result.problem?.message).toMatch(/entry 4 is missing \(the next entry is 5\)/);
  });

  it("reports two entries swapped", async () => {
    const { warehouse } = await logWith(6);
    await warehouse.transaction(async (tx) => {
      await tx.run("create temp table swap as select * from ops.audit_log where seq in (2, 3)");
      await tx.run(`update ops.audit_log a set logged_at = s.logged_at, actor = s.actor, event = s.event,
          subject = s.subject, detail = s.detail, prev_hash = s.prev_hash, hash = s.hash
        from swap s where s.seq = 5 - a.seq and a.seq in (2, 3)`);
    });
    expect(await warehouse.all("select subject from ops.audit_log where seq in (2,3) order by seq")).toEqual([
      { subject: "rec-3" },
      { subject: "rec-2" },
    ]);
    const result = await verifyAudit(warehouse);
    expect(result.problem).toMatchObject({ seq: 2, reason: "reordered" });
    expect(result.problem?.message).toMatch(/written as seq 3/);
  });

  it("reports a cut tail from the anchor (the chain alone cannot)", async () => {
    const { warehouse } = await logWith(6);
    await warehouse.run("delete from ops.audit_log where seq = 6");
    const result = await verifyAudit(warehouse);
    expect(result.problem).toMatchObject({ seq: 6, reason: "truncated" });
    expect(result.problem?.message).toMatch(/log ends at 5 .*records 6/);
    // Appending after the cut does not move the anchor over the evidence.
    await appendAudit(warehouse, { actor: "mallory", event: "cover.up" });
    await appendAudit(warehouse, { actor: "mallory", event: "cover.up" });
    expect((await verifyAudit(warehouse)).problem).toMatchObject({ seq: 6, reason: "rewritten" });
  });

  it("reports a whole log deleted", async () => {
    const { warehouse } = await logWith(3);
    await warehouse.run("delete from ops.audit_log");
    expect((await verifyAudit(warehouse)).problem).toMatchObject({ seq: 1, reason: "truncated" });
  });

  it("reports an entry rewritten with a fresh, valid hash from the next entry's link", async () => {
    const { warehouse } = await logWith(5);
    const [row] = await warehouse.all<{ ms: string; prev_hash: string }>(
      "select epoch_ms(logged_at) as ms, prev_hash from ops.audit_log where seq = 3",
    );
    const loggedAt = new Date(Number(row?.ms)).toISOString();
    const forged = {
      actor: "alice",
      event: "approval.decided",
      subject: "rec-3",
      detail: '{"decision":"reject"}',
    };
    const hash = entryHash(row?.prev_hash ?? "", 3, loggedAt, forged);
    await warehouse.run("update ops.audit_log set detail = $1::json, hash = $2 where seq = 3", [
      forged.detail,
      hash,
    ]);
    expect((await verifyAudit(warehouse)).problem).toMatchObject({ seq: 3, reason: "rewritten" });
  });

  it("reports the last entry rewritten with a valid hash from the anchor", async () => {
    const { warehouse } = await logWith(4);
    const [row] = await warehouse.all<{ ms: string; prev_hash: string }>(
      "select epoch_ms(logged_at) as ms, prev_hash from ops.audit_log where seq = 4",
    );
    const forged = { actor: "alice", event: "approval.decided", subject: "rec-4", detail: "{}" };
    const hash = entryHash(row?.prev_hash ?? "", 4, new Date(Number(row?.ms)).toISOString(), forged);
    await warehouse.run("update ops.audit_log set detail = '{}', hash = $1 where seq = 4", [hash]);
    expect((await verifyAudit(warehouse)).problem).toMatchObject({ seq: 4, reason: "rewritten" });
  });

  it("warns when there is no anchor, and fails on a damaged one", async () => {
    const { warehouse, dir } = await logWith(2);
    rmSync(path.join(dir, "audit-head.json"));
    const result = await verifyAudit(warehouse);
    expect(result.intact).toBe(true);
    expect(result.warnings[0]).toMatch(/no head anchor .*audit-head.json.*cut tail cannot be detected/);
    await syncAuditHead(warehouse);
    expect(head(dir).seq).toBe(2);
    writeFileSync(path.join(dir, "audit-head.json"), "{oops");
    expect((await verifyAudit(warehouse)).problem).toMatchObject({ reason: "anchor" });
  });
});

describe("appending inside a caller's transaction", () => {
  it("lands with the caller's work or not at all, and never anchors past a rollback", async () => {
    const { warehouse, dir } = await logWith(2);
    await expect(
      warehouse.transaction(async (tx) => {
        await appendAudit(tx, { actor: "cco:executor", event: "action.state", subject: "act-9" });
        throw new Error("provider call failed");
      }),
    ).rejects.toThrow("provider call failed");
    expect((await verifyAudit(warehouse)).entries).toBe(2);
    expect(head(dir).seq).toBe(2);

    await warehouse.transaction(async (tx) => {
      await appendAudit(tx, {
        actor: "cco:executor",
        event: "action.state",
        subject: "act-9",
        detail: { to: "a" },
      });
      await appendAudit(tx, {
        actor: "cco:executor",
        event: "action.state",
        subject: "act-9",
        detail: { to: "b" },
      });
    });
    // The anchor moves once the caller's transaction commits (TransactionScope.afterCommit).
    expect(head(dir).seq).toBe(4);
    await syncAuditHead(warehouse);
    expect(head(dir).seq).toBe(4);
    await warehouse.transaction(async (tx) => appendAudit(tx, { actor: "bob", event: "approval.decided" }));
    await warehouse.transaction(async (tx) => appendAudit(tx, { actor: "bob", event: "approval.decided" }));
    expect(head(dir).seq).toBe(6);
    const result = await verifyAudit(warehouse);
    expect(result).toMatchObject({ intact: true, entries: 6 });
  });

  it("keeps an in-memory warehouse's log verifiable without an anchor file", async () => {
    const warehouse = await Warehouse.open({ path: ":memory:", threads: 1 });
    opened.push(warehouse);
    await appendAudit(warehouse, { actor: "a", event: "e" });
    expect(await verifyAudit(warehouse)).toMatchObject({ intact: true, anchorFile: null, warnings: [] });
    expect(existsSync(path.join(process.cwd(), "audit-head.json"))).toBe(false);
  });
});
