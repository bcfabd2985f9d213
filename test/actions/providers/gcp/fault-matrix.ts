/**
 * The GCP fault matrix: each kind (resize_vm, snapshot_delete_disk, stop_vm) under each fault
 * (none, throttle, capacity, timeout, 5xx, kill -9 between two steps, one resource of a batch
 * failing for good), run end to end: approved rows in a fresh warehouse, the executor
 * (runExecutor, or `cco actions run` in a child process for the kill) with the real GCP adapter
 * against a fresh replay server. Each row says what became of the actions and checks the promises:
 * no action in an unknown state, no change applied twice, each resource as the change left it or
 * back at its recorded prior state, the audit chain intact. bench/fault-matrix.ts prints it.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { verifyAudit } from "../../../../actions/audit/verify.ts";
import { runExecutor } from "../../../../actions/executor/run.ts";
import { KINDS } from "../../../../actions/kinds/index.ts";
import { mismatches } from "../../../../actions/kinds/kind.ts";
import type { ResourceState } from "../../../../actions/providers/adapter.ts";
import { Warehouse } from "../../../../core/warehouse/warehouse.ts";
import { GcpReplay, type GcpReplay as Replay } from "../../../helpers/replay/gcp.ts";
import { adapterFor, gcpConfig, IDS, seed } from "./estate.ts";
import type { FaultRow } from "../../../helpers/fault-row.ts";

export type { FaultRow };

export const MATRIX_KINDS = ["resize_vm", "snapshot_delete_disk", "stop_vm"] as const;
export const MATRIX_FAULTS = ["none", "throttle", "capacity", "timeout", "5xx", "kill", "batch"] as const;
type Kind = (typeof MATRIX_KINDS)[number];
type Fault = (typeof MATRIX_FAULTS)[number];

interface Row {
  id: string;
  kind: Kind;
  resource: string;
  current: string;
  target?: string;
}

/** Two approved rows per kind: the batch (the second is the one a batch fault fails). */
const ROWS: Record<Kind, Row[]> = {
  resize_vm: [
    {
      id: "rec-r1",
      kind: "resize_vm",
      resource: IDS.web,
      current: "n2-standard-4, 24x7",
      target: "n2-standard-2",
    },
    { id: "rec-r2", kind: "resize_vm", resource: IDS.batch, current: "e2-standard-2", target: "e2-small" },
  ],
  snapshot_delete_disk: [
    {
      id: "rec-d1",
      kind: "snapshot_delete_disk",
      resource: IDS.batchData,
      current: `pd-ssd 200 GB on stopped VM ${IDS.batch}`,
    },
    { id: "rec-d2", kind: "snapshot_delete_disk", resource: IDS.orphan, current: "pd-ssd 100 GB" },
  ],
  stop_vm: [
    { id: "rec-s1", kind: "stop_vm", resource: IDS.web, current: "n2-standard-4" },
    { id: "rec-s2", kind: "stop_vm", resource: IDS.web2, current: "n2-standard-8" },
  ],
};

/** The call each fault hits, per kind: the step that matters (the modify of a resize, the delete of a disk). */
const HIT: Record<Kind, { method: string; resource: string }> = {
  resize_vm: { method: "instances.setMachineType", resource: "web-1" },
  snapshot_delete_disk: { method: "disks.delete", resource: "batch-data" },
  stop_vm: { method: "instances.stop", resource: "web-1" },
};

async function world(dir: string, rows: Row[]): Promise<void> {
  const w = await Warehouse.open({ path: path.join(dir, "warehouse.duckdb"), threads: 1 });
  try {
    for (const r of rows) {
      await w.run(
        `insert into ops.approval_queue (recommendation_id, version, provider, billing_account_id, sub_account_id, resource_id,
           region, detector, category, action, action_kind, irreversible, current_configuration, target_configuration,
           estimated_monthly_savings, currency, risk_level, risk_score, priority, required_approvals, queued_at)
         values ($1, 'v1', 'gcp', '01ABCD-234567-89EFGH', 'acme', $2, 'europe-west4', $3, 'rightsizing', $3, $3, false, $4, $5,
           120, 'USD', 'low', 10, 5, 1, '2026-11-01T00:00:00Z')`,
        [r.id, r.resource, r.kind, r.current, r.target ?? null],
      );
      await w.run(
        `insert into ops.approvals values ($1, $2, 'v1', 'approve', 'alice', now() - interval 1 hour, null,
           now() + interval 7 day, false, null, 'test', null)`,
        [`ap-${r.id}`, r.id],
      );
    }
  } finally {
    await w.close();
  }
}

function plant(replay: Replay, kind: Kind, fault: Fault): void {
  const hit = HIT[kind];
  if (fault === "throttle") replay.fault({ ...hit, kind: "throttle", times: 2 });
  if (fault === "5xx") replay.fault({ ...hit, kind: "server" });
  if (fault === "timeout") replay.fault({ ...hit, kind: "timeout" });
  if (fault === "capacity") {
    // The resize's start finds no room for the new size; a stop or a disk delete, no room to stop in.
    if (kind === "resize_vm") replay.noCapacity.add("n2-standard-2");
    else replay.fault({ ...hit, kind: "capacity" });
  }
  if (fault === "batch") {
    const second = ROWS[kind][1]!.resource.split("/").pop()!;
    replay.fault({
      method: HIT[kind].method,
      resource: second,
      kind: "server",
      times: Number.POSITIVE_INFINITY,
    });
  }
}

/** `cco actions run` in a child process (its own adapter, from config), killed at CCO_FAULT if given. */
function child(
  dir: string,
  env: Record<string, string>,
): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  const cli = path.resolve(import.meta.dirname, "cli-child.ts");
  const args = [
    "--import",
    "tsx",
    cli,
    "--quiet",
    "--data-dir",
    dir,
    "--config",
    path.join(dir, "cco.config.yaml"),
    "actions",
    "run",
  ];
  return new Promise((resolve) => {
    const p = spawn(process.execPath, args, {
      env: { ...process.env, GOOGLE_OAUTH_ACCESS_TOKEN: "test-token", ...env },
    });
    let stderr = "";
    p.stderr.on("data", (d) => (stderr += d));
    p.on("exit", (code, signal) => resolve({ code, signal, stderr }));
  });
}

interface ActionRow {
  kind: string;
  resource_id: string;
  state: string;
  prior_state: string | null;
  parameters: string;
  plan: string | null;
  outputs: string | null;
  idempotency_token: string;
}

/** One cell of the matrix. `dir` is a fresh folder. */
export async function runCell(
  kind: Kind,
  fault: Fault,
  dir: string,
): Promise<FaultRow & { replay: Replay; actions: ActionRow[] }> {
  const replay = new GcpReplay();
  seed(replay);
  const url = await replay.start();
  const rows = fault === "batch" ? ROWS[kind] : ROWS[kind].slice(0, 1);
  // No waits between retries: the backoff's timing is the executor's own tests' business.
  const config = gcpConfig(dir, url, "  retries: {attempts: 4, base_ms: 0, max_ms: 0}\n");
  await world(dir, rows);
  plant(replay, kind, fault);
  const adapter = adapterFor(config);
  let outcome = "";
  try {
    if (fault === "kill") {
      // Killed between the first step (stop / snapshot) and the second (modify / delete), or for a
      // one-step stop after it applied and before it is recorded; then run again.
      const point = kind === "stop_vm" ? "action:executing:0:applied" : "action:executing:1";
      const killed = await child(dir, { CCO_FAULT: point });
      const again = await child(dir, {});
      outcome = `killed: ${killed.signal ?? killed.code}; rerun exit ${again.code}${again.code ? `: ${again.stderr.slice(-300)}` : ""}`;
    } else {
      const w = await Warehouse.open({ path: path.join(dir, "warehouse.duckdb"), threads: 1 });
      try {
        await runExecutor(w, config, {
          trigger: "cli",
          adapters: { gcp: adapter },
          sleep: async () => undefined,
        });
      } finally {
        await w.close();
      }
    }
    const w = await Warehouse.open({ path: path.join(dir, "warehouse.duckdb"), threads: 1 });
    let actions: ActionRow[];
    let auditIntact: boolean;
    try {
      actions = await w.all<ActionRow>(
        `select kind, resource_id, state, prior_state::varchar as prior_state, parameters::varchar as parameters,
           plan::varchar as plan, outputs::varchar as outputs, idempotency_token from ops.actions where mode = 'execute' order by resource_id`,
      );
      auditIntact = (await verifyAudit(w)).intact;
    } finally {
      await w.close();
    }
    const KNOWN = ["verifying", "succeeded", "failed", "rolled_back"];
    const unknown =
      actions.filter((a) => !KNOWN.includes(a.state)).length + Math.max(0, rows.length - actions.length);
    // The same change (call, resource, body) applied more than once. Detach and re-attach come in
    // pairs when a delete is refused (the adapter puts the disk back): whether it ends attached
    // where it was is what `restored` checks.
    const seen = new Map<string, number>();
    for (const l of replay.applied().filter((x) => !/^instances\.(attach|detach)Disk$/.test(x.method))) {
      const key = `${l.method} ${l.resource} ${JSON.stringify(l.body ?? {})}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    const appliedTwice = [...seen.values()].filter((n) => n > 1).length;
    let restored = true;
    for (const a of actions) restored &&= await asRecorded(adapter, a);
    outcome = [outcome, actions.map((a) => a.state).join(", ")].filter(Boolean).join(" → ");
    return {
      provider: "gcp",
      kind,
      fault,
      outcome,
      unknown,
      appliedTwice,
      restored,
      auditIntact,
      replay,
      actions,
    };
  } finally {
    await adapter.close();
    await replay.stop();
  }
}

/** Done: the resource is as the last step leaves it; undone or refused: as recorded before. */
async function asRecorded(adapter: ReturnType<typeof adapterFor>, a: ActionRow): Promise<boolean> {
  const kind = KINDS[a.kind]!;
  const prior = JSON.parse(a.prior_state ?? "null") as ResourceState | null;
  if (!prior) return a.state === "failed";
  const params = JSON.parse(a.parameters) as Record<string, unknown>;
  const outputs = JSON.parse(a.outputs ?? "{}") as Record<string, string>;
  const done = a.state === "verifying" || a.state === "succeeded";
  const expected = done
    ? kind.after(prior, params, (JSON.parse(a.plan ?? "[]") as unknown[]).length)
    : {
        exists: true,
        status: [prior.status ?? ""],
        ...(prior.size ? { size: prior.size } : {}),
        attachedTo: prior.attachedTo ?? [],
      };
  const target = !done && outputs["undo:resourceId"] ? outputs["undo:resourceId"] : a.resource_id;
  const state = await adapter.describe(target).catch(() => ({ ...prior, exists: false }));
  return mismatches(state, expected ?? {}).length === 0;
}

/** Every cell, each in its own temporary folder (removed after). */
export async function faultMatrixGcp(): Promise<FaultRow[]> {
  const out: FaultRow[] = [];
  for (const kind of MATRIX_KINDS)
    for (const fault of MATRIX_FAULTS) {
      const dir = mkdtempSync(path.join(os.tmpdir(), "cco-gcp-matrix-"));
      try {
        const { replay: _r, actions: _a, ...row } = await runCell(kind, fault, dir);
        out.push(row);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  return out;
}
