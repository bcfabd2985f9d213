/**
 * kill -9 of `cco actions run` at each state of an action (CCO_FAULT, core/faults.ts), then a
 * second run: no action is left in a state a crash leaves (approved, preflight, executing,
 * rolling_back), no idempotency token is applied twice in the sandbox (so no change twice), and
 * the audit chain verifies.
 */
import { spawnSync } from "node:child_process";
import { cpSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { verifyAudit } from "../../../actions/audit/verify.ts";
import { readState } from "../../../actions/providers/sandbox/state.ts";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { approvedEstate, closeWarehouse, ESTATE_YAML } from "./sandbox-estate.ts";

const CHILD = path.join(import.meta.dirname, "cli-child.ts");
let template: string;
let resizeTarget: string;

beforeAll(async () => {
  const estate = await approvedEstate(
    ["resize_vm", "snapshot_delete_disk"],
    new Date(Date.now() - 3_600_000).toISOString(),
  );
  const [row] = await estate.warehouse.all<{ target_configuration: string }>(
    "select q.target_configuration from ops.approval_queue q join ops.approvals a using (recommendation_id) where q.action_kind = 'resize_vm'",
  );
  resizeTarget = row!.target_configuration;
  template = estate.dataDir;
  await closeWarehouse();
}, 240_000);

function run(dataDir: string, fault?: string) {
  return spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      CHILD,
      "--quiet",
      "--data-dir",
      dataDir,
      "--config",
      path.join(dataDir, "cco.config.yaml"),
      "actions",
      "run",
    ],
    { encoding: "utf8", env: { ...process.env, CCO_FAULT: fault ?? "" } },
  );
}

async function check(dataDir: string) {
  const w = await Warehouse.open({ path: path.join(dataDir, "warehouse.duckdb"), threads: 1 });
  try {
    const actions = await w.all<{ kind: string; state: string }>(
      "select kind, state from ops.actions where mode = 'execute'",
    );
    const audit = await verifyAudit(w);
    return { actions, audit };
  } finally {
    await w.close();
  }
}

const CASES: [string, string?][] = [
  ["action:preflight:0"],
  ["action:executing:0"],
  ["action:executing:0:applied"],
  ["action:executing:1"],
  ["action:executing:1:applied"],
  ["action:executing:2"],
  ["action:verifying:0"],
  ["action:rolling_back:0", "capacity"],
];

describe("kill -9 of the executor", () => {
  it.each(CASES)(
    "at %s leaves nothing unknown and nothing applied twice",
    async (fault, variant) => {
      const dataDir = tempDir("cco-crash-");
      cpSync(template, dataDir, { recursive: true });
      if (variant === "capacity")
        writeFileSync(
          path.join(dataDir, "cco.config.yaml"),
          `${ESTATE_YAML}  sandbox: {capacity_errors: [${JSON.stringify(resizeTarget)}]}\n`,
        );
      const killed = run(dataDir, fault);
      expect(killed.signal, killed.stderr).toBe("SIGKILL");
      const again = run(dataDir);
      expect(again.status, `${again.signal} ${again.stderr}`).toBe(0);
      const { actions, audit } = await check(dataDir);
      expect(actions.length).toBeGreaterThanOrEqual(2);
      for (const a of actions)
        expect(["verifying", "succeeded", "failed", "rolled_back"], `${a.kind}: ${a.state}`).toContain(
          a.state,
        );
      expect(audit.intact, JSON.stringify(audit.problem)).toBe(true);
      const applied = readState(dataDir)!.requests.filter((r) => r.call === "perform" && r.applied);
      expect(new Set(applied.map((r) => r.token)).size).toBe(applied.length);
      if (!variant) {
        // Forward only: each operation once per resource.
        const keys = applied.map((r) => `${r.resourceId} ${r.operation}`);
        expect(new Set(keys).size, keys.join("\n")).toBe(keys.length);
      }
    },
    120_000,
  );
});
