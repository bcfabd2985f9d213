/**
 * One executor run of an action kind against the replay server with one fault, and what it left:
 * the actions' states, changes applied twice, whether each resource is as its action's end state
 * says (back as recorded after an undo), and the audit chain. The executor tests and
 * faultMatrixAws() run the same scenarios. No vitest here: bench/fault-matrix.ts imports it.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { verifyAudit } from "../../../../actions/audit/verify.ts";
import { runExecutor } from "../../../../actions/executor/run.ts";
import { type Action, loadActions } from "../../../../actions/executor/records.ts";
import { KINDS } from "../../../../actions/kinds/index.ts";
import { mismatches } from "../../../../actions/kinds/kind.ts";
import { type Config, loadConfig } from "../../../../core/config.ts";
import { Warehouse } from "../../../../core/warehouse/warehouse.ts";
import { type AwsReplay, type Seed, startAwsReplay } from "../../../helpers/replay/aws.ts";
import { adapterFor, awsYaml, CREDENTIALS, REQUEST_TIMEOUT_MS } from "./adapter-options.ts";
import type { FaultRow } from "../../../helpers/fault-row.ts";

export const KINDS_TESTED = ["resize_vm", "snapshot_delete_disk", "change_disk_type"] as const;
export const FAULTS = [
  "none",
  "throttle",
  "capacity",
  "timeout",
  "5xx",
  "kill between steps",
  "batch partial failure",
] as const;
export type KindName = (typeof KINDS_TESTED)[number];
export type FaultName = (typeof FAULTS)[number];

export type { FaultRow };

/** The approvals' clock (inside their 7-day validity, as test/actions/executor/fixture.ts). */
export const NOW = new Date("2026-11-02T10:00:00Z");
const CHILD = path.join(import.meta.dirname, "executor-child.ts");

interface Layout {
  seed: (n: number) => Seed;
  resource: (n: number) => string;
  detector: string;
  current: (n: number) => string;
  target: string;
  /** The call of each forward step the faults aim at. */
  first: string;
  middle: string;
  /** The fault point of a kill between two steps (after the first). */
  kill: string;
  capacity: (replay: AwsReplay) => void;
}

const LAYOUT: Record<KindName, Layout> = {
  resize_vm: {
    seed: (n) => ({ instances: [{ id: `i-0web${n}`, state: "running", type: "m5.xlarge" }] }),
    resource: (n) => `i-0web${n}`,
    detector: "rightsizing",
    current: () => "m5.xlarge, 24x7",
    target: "m5.large",
    first: "StopInstances",
    middle: "ModifyInstanceAttribute",
    kill: "action:executing:1",
    // EC2 reports missing capacity when the instance starts at its new type.
    capacity: (replay) => replay.estate.capacityTypes.add("m5.large"),
  },
  snapshot_delete_disk: {
    seed: (n) => ({
      instances: [{ id: `i-0old${n}`, state: "stopped", type: "m5.large" }],
      volumes: [
        {
          id: `vol-0data${n}`,
          type: "gp2",
          size: 100,
          attachments: [{ instanceId: `i-0old${n}`, device: "/dev/sdf", state: "attached" }],
        },
      ],
    }),
    resource: (n) => `vol-0data${n}`,
    detector: "stopped_vm_volume",
    current: (n) => `gp2 100 GB on stopped VM i-0old${n}`,
    target: "snapshot, delete",
    first: "CreateSnapshot",
    middle: "DeleteVolume",
    kill: "action:executing:1",
    capacity: (replay) =>
      replay.inject({ fault: "capacity", action: "DeleteVolume", code: "VolumeLimitExceeded", status: 400 }),
  },
  change_disk_type: {
    seed: (n) => ({
      instances: [{ id: `i-0app${n}`, state: "running" }],
      volumes: [
        {
          id: `vol-0gp2${n}`,
          type: "gp2",
          size: 100,
          attachments: [{ instanceId: `i-0app${n}`, device: "/dev/sdf", state: "attached" }],
        },
      ],
    }),
    resource: (n) => `vol-0gp2${n}`,
    detector: "gp2_volume",
    current: () => "gp2 100 GB",
    target: "gp3",
    first: "ModifyVolume",
    middle: "ModifyVolume",
    // One step: the kill comes after it applied, before the action moves on.
    kill: "action:executing:0:applied",
    capacity: (replay) =>
      replay.inject({ fault: "capacity", action: "ModifyVolume", code: "VolumeLimitExceeded", status: 400 }),
  },
};

export interface ScenarioResult {
  row: FaultRow;
  replay: AwsReplay;
  actions: Action[];
  warehouse: Warehouse;
  config: Config;
  dataDir: string;
  close(): Promise<void>;
}

async function queue(warehouse: Warehouse, kind: KindName, n: number): Promise<void> {
  const l = LAYOUT[kind];
  const id = `rec-${kind}-${n}`;
  await warehouse.run(
    `insert into ops.approval_queue (recommendation_id, version, provider, billing_account_id, sub_account_id, resource_id,
       region, detector, category, action, action_kind, irreversible, current_configuration, target_configuration,
       estimated_monthly_savings, currency, risk_level, risk_score, priority, required_approvals, queued_at)
     values ($1, 'v1', 'aws', '999999999999', '111122223333', $2, 'us-east-1', $3, 'rightsizing', $3, $4, false, $5, $6,
       100, 'USD', 'low', 10, 5, 1, '2026-11-01T00:00:00Z')`,
    [id, l.resource(n), l.detector, kind, l.current(n), l.target],
  );
  await warehouse.run(
    `insert into ops.approvals values ($1, $2, 'v1', 'approve', 'alice', '2026-11-01T12:00:00Z', null,
       '2026-11-08T12:00:00Z', false, null, 'test', null)`,
    [`ap-${id}`, id],
  );
}

/**
 * The executor in a child process, killed (CCO_FAULT) at `point`: what a kill -9 mid-action leaves.
 * Asynchronous: the replay server answering the child runs in this process's event loop.
 */
function runChild(
  dataDir: string,
  point: string,
): Promise<{ signal: NodeJS.Signals | null; status: number | null; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, dataDir], {
    stdio: ["ignore", "ignore", "pipe"],
    env: {
      ...process.env,
      CCO_FAULT: point,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    },
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.on("close", (status, signal) => resolve({ signal, status, stderr })));
}

const SIGNIFICANT = (params: Record<string, string>) =>
  JSON.stringify(
    Object.entries(params)
      .filter(([k]) => !["Version", "DryRun"].includes(k))
      .sort(),
  );

export async function runScenario(kind: KindName, fault: FaultName): Promise<ScenarioResult> {
  const l = LAYOUT[kind];
  const count = fault === "batch partial failure" ? 3 : 1;
  const replay = await startAwsReplay({ holdMs: REQUEST_TIMEOUT_MS * 3 });
  for (let n = 1; n <= count; n++) replay.estate.seed(l.seed(n));
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "cco-aws-matrix-"));
  const configFile = path.join(dataDir, "cco.config.yaml");
  writeFileSync(configFile, awsYaml(replay.url, "  caps: {max_concurrent_per_account: 10}\n"));
  const config = loadConfig({ configFile, dataDir, env: {} });
  config.actions.retries.base_ms = 0;
  const dbPath = path.join(dataDir, "warehouse.duckdb");
  let warehouse = await Warehouse.open({ path: dbPath });
  for (let n = 1; n <= count; n++) await queue(warehouse, kind, n);

  switch (fault) {
    case "throttle":
      replay.inject({ fault: "throttle", action: l.first, times: 2 });
      break;
    case "capacity":
      l.capacity(replay);
      break;
    case "timeout":
      // snapshot_delete_disk: the snapshot leaves no trace on the disk; its token finds it again.
      replay.inject({ fault: "timeout", action: kind === "snapshot_delete_disk" ? l.first : l.middle });
      break;
    case "5xx":
      replay.inject({ fault: "server", action: l.middle });
      break;
    case "batch partial failure":
      replay.failResources.set(l.resource(2), { code: "InternalError", status: 500 });
      break;
  }

  const adapter = adapterFor(config, replay.url);
  const run = () =>
    runExecutor(warehouse, config, {
      trigger: "cli",
      now: NOW,
      adapters: { aws: adapter },
      sleep: async () => {},
    });
  if (fault === "kill between steps") {
    await warehouse.close();
    const killed = await runChild(dataDir, l.kill);
    if (killed.signal !== "SIGKILL")
      throw new Error(`the child was not killed at ${l.kill}: ${killed.status} ${killed.stderr}`);
    warehouse = await Warehouse.open({ path: dbPath });
  }
  await run();

  // What was left.
  const actions = await loadActions(warehouse, "mode = 'execute'");
  const counts = new Map<string, number>();
  for (const a of actions) counts.set(a.state, (counts.get(a.state) ?? 0) + 1);
  const outcome = [...counts].map(([s, c]) => (c > 1 ? `${s}×${c}` : s)).join(", ");
  const unknown = actions.filter(
    (a) => !["verifying", "succeeded", "failed", "rolled_back"].includes(a.state),
  ).length;
  const seen = new Map<string, number>();
  for (const r of replay.log.filter((x) => x.applied)) {
    const key = `${r.action} ${SIGNIFICANT(r.params)}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  const appliedTwice = [...seen.values()].reduce((sum, c) => sum + c - 1, 0);
  let restored = actions.length === count;
  for (const a of actions) {
    const k = KINDS[a.kind]!;
    if (!a.prior_state) continue; // failed in pre-flight: nothing was touched
    const forward = a.state === "verifying" || a.state === "succeeded";
    const undoOutputs = Object.fromEntries(
      Object.entries(a.outputs)
        .filter(([key]) => key.startsWith("undo:"))
        .map(([key, v]) => [key.slice(5), v]),
    );
    const target = forward
      ? a.resource_id
      : (k.undoneResource?.(a.prior_state, undoOutputs) ?? a.resource_id);
    const expected = k.after(a.prior_state, a.parameters, forward ? a.plan!.length : 0) ?? {};
    if (mismatches(await adapter.describe(target), expected).length) restored = false;
  }
  const audit = await verifyAudit(warehouse);
  adapter.close();
  const row: FaultRow = {
    provider: "aws",
    kind,
    fault,
    outcome,
    unknown,
    appliedTwice,
    restored,
    auditIntact: audit.intact,
  };
  return {
    row,
    replay,
    actions,
    warehouse,
    config,
    dataDir,
    async close() {
      await warehouse.close();
      await replay.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
