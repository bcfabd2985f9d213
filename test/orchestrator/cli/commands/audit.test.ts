/** `cco audit verify|log` in-process, through the program index.ts builds. */
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { appendAudit } from "../../../../actions/audit/log.ts";
import { Warehouse } from "../../../../core/warehouse/warehouse.ts";
import { tempDir } from "../../../helpers/tmp.ts";
import { type CliOutcome, ccoInProcess } from "../run-cli.ts";

const dataDir = tempDir();
const warehouseFile = path.join(dataDir, "warehouse.duckdb");

function cco(...args: string[]): Promise<CliOutcome> {
  return ccoInProcess(["--data-dir", dataDir, ...args]);
}

async function withWarehouse(work: (w: Warehouse) => Promise<void>): Promise<void> {
  const warehouse = await Warehouse.open({ path: warehouseFile, threads: 1 });
  try {
    await work(warehouse);
  } finally {
    await warehouse.close();
  }
}

beforeAll(async () => {
  await withWarehouse(async (w) => {
    await appendAudit(w, {
      actor: "alice",
      event: "approval.decided",
      subject: "rec-1",
      detail: { decision: "approve" },
    });
    await appendAudit(w, {
      actor: "cco:executor",
      event: "action.state",
      subject: "act-1",
      detail: { to: "executing" },
    });
    await appendAudit(w, {
      actor: "cco:notify",
      event: "notification.sent",
      subject: "act-1",
      detail: { channel: "team" },
    });
  });
});
afterEach(() => vi.restoreAllMocks());

describe("cco audit", () => {
  it("log prints entries, filtered by subject and event family, as text or JSON", async () => {
    const all = await cco("audit", "log");
    expect(all.status).toBe(0);
    expect(all.stdout.trim().split("\n")).toHaveLength(3);
    expect(all.stdout).toMatch(
      /^#1 \d{4}-\d\d-\d\dT[\d:.]+Z alice approval\.decided rec-1 \{"decision":"approve"\}$/m,
    );

    const act = await cco("--json", "audit", "log", "--subject", "act-1", "--event", "notification");
    expect(JSON.parse(act.stdout)).toEqual([
      expect.objectContaining({ seq: 3, event: "notification.sent", detail: { channel: "team" } }),
    ]);
    const last = await cco("--json", "audit", "log", "--limit", "1");
    expect(JSON.parse(last.stdout).map((e: { seq: number }) => e.seq)).toEqual([3]);
    expect((await cco("audit", "log", "--subject", "nobody")).stdout).toBe("no audit entries match\n");
    const bad = await cco("audit", "log", "--limit", "0");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/option '--limit <n>' argument '0' is invalid/);
  });

  it("verify exits 0 on an intact log and 1 on a broken one, naming the seq and the reason", async () => {
    const ok = await cco("audit", "verify");
    expect(ok).toMatchObject({ status: 0, stderr: "" });
    expect(ok.stdout).toBe(
      `audit log intact: 3 entries, head seq 3 (anchored in ${path.join(dataDir, "audit-head.json")})\n`,
    );

    await withWarehouse((w) =>
      w.run(`update ops.audit_log set detail = '{"decision":"reject"}' where seq = 1`),
    );
    const broken = await cco("audit", "verify");
    expect(broken.status).toBe(1);
    expect(broken.stdout).toBe("");
    expect(broken.stderr).toBe(
      "cco: audit log broken at seq 1 (edited): entry 1 does not match its hash: edited\n",
    );

    const json = await cco("--json", "audit", "verify");
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ intact: false, problem: { seq: 1, reason: "edited" } });
  });
});
