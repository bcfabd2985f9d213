/**
 * The Azure fault matrix: each kind × each fault through the executor (actions/executor/run.ts)
 * and the real SDKs against a fresh replay server; a kill -9 runs the executor in child processes
 * (the first killed at the fault point, the second settling what it left). Each row says how
 * the actions ended, how many are left in a state a crash leaves, how many requests applied
 * twice (the same x-ms-client-request-id changing the cloud twice), whether every undone or
 * failed action left its resource as recorded before, and whether the audit chain verifies.
 * `faultMatrixAzure()` runs it all (bench/fault-matrix.ts prints it); the e2e test runs rows.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { verifyAudit } from "../../../../actions/audit/verify.ts";
import { type Action, INTERRUPTED, loadActions } from "../../../../actions/executor/records.ts";
import { runExecutor } from "../../../../actions/executor/run.ts";
import { kindNamed } from "../../../../actions/kinds/index.ts";
import { mismatches } from "../../../../actions/kinds/kind.ts";
import type { CloudAdapter } from "../../../../actions/providers/adapter.ts";
import { createAzureAdapter } from "../../../../actions/providers/azure/index.ts";
import { Warehouse } from "../../../../core/warehouse/warehouse.ts";
import {
  type AzureReplay,
  type FaultRule,
  type LoggedRequest,
  type ReplayOptions,
  startAzureReplay,
} from "../../../helpers/replay/azure.ts";
import { type AzureRow, azureEstate } from "./estate.ts";
import { diskId, REQUEST_TIMEOUT_MS, RUN_AT, staticCredential, vmId } from "./setup.ts";
import type { FaultRow } from "../../../helpers/fault-row.ts";

export type { FaultRow };

export const MATRIX_KINDS = ["resize_vm", "snapshot_delete_disk", "change_disk_type"] as const;
export const MATRIX_FAULTS = ["none", "throttle", "capacity", "timeout", "5xx", "kill", "batch"] as const;
export type MatrixKind = (typeof MATRIX_KINDS)[number];
/** kill_sent (resize_vm only): killed after the resize PATCH applied, before the executor recorded it. */
export type MatrixFault = (typeof MATRIX_FAULTS)[number] | "kill_sent";

interface Plan {
  rows: AzureRow[];
  seed(replay: AzureReplay): void;
  options?: ReplayOptions;
  faults?: FaultRule[];
  /** CCO_FAULT point the first (child) run is killed at. */
  kill?: string;
}

const FROM = "Standard_D4s_v3";
const TO = "Standard_D2s_v3";

function plan(kind: MatrixKind, fault: MatrixFault): Plan {
  const batch = fault === "batch";
  switch (kind) {
    case "resize_vm": {
      const names = batch ? ["vm-1", "vm-2"] : ["vm-1"];
      return {
        rows: names.map((n) => ({
          id: `rec-${n}`,
          detector: "rightsizing",
          kind,
          resource: vmId(n),
          current: `${FROM}, 24x7`,
          target: TO,
        })),
        seed: (r) => {
          for (const n of names) r.vm(vmId(n), { size: FROM });
        },
        // The start at the new size finds no capacity: the resize is undone and the VM started at its size.
        options: fault === "capacity" ? { allocationFailedSizes: [TO] } : {},
        faults: {
          throttle: [{ kind: "throttle", call: "virtualMachines.update" } as FaultRule],
          timeout: [{ kind: "timeout", call: "virtualMachines.update" } as FaultRule],
          "5xx": [{ kind: "server", call: "virtualMachines.deallocate" } as FaultRule],
          batch: [
            {
              kind: "server",
              call: "virtualMachines.deallocate",
              resource: "/vm-2/",
              times: Infinity,
            } as FaultRule,
          ],
        }[fault as string],
        ...(fault === "kill" ? { kill: "action:executing:1" } : {}), // between stop and modify
        ...(fault === "kill_sent" ? { kill: "action:sent@2" } : {}),
      };
    }
    case "snapshot_delete_disk": {
      const names = batch ? ["disk-1", "disk-2"] : ["disk-1"];
      return {
        rows: names.map((n) => ({
          id: `rec-${n}`,
          detector: "stopped_vm_volume",
          kind,
          resource: diskId(n),
          current: `Premium_LRS 256 GB on stopped VM ${vmId("db-1").toLowerCase()}`,
        })),
        seed: (r) => {
          r.vm(vmId("db-1"), { size: "Standard_E4s_v5", power: "deallocated" });
          for (const n of names)
            r.disk(diskId(n), { sku: "Premium_LRS", sizeGb: 256, attachTo: vmId("db-1") });
        },
        // No capacity in the region: nothing in this kind allocates, so nothing fails.
        options: fault === "capacity" ? { allocationFailedSizes: ["Standard_E4s_v5", FROM, TO] } : {},
        faults: {
          throttle: [{ kind: "throttle", call: "snapshots.createOrUpdate" } as FaultRule],
          // The snapshot leaves no trace on the disk: the step is re-sent, the same PUT finds the same snapshot.
          timeout: [{ kind: "timeout", call: "snapshots.createOrUpdate" } as FaultRule],
          "5xx": [{ kind: "server", call: "disks.delete" } as FaultRule],
          batch: [
            { kind: "server", call: "disks.delete", resource: "/disk-2", times: Infinity } as FaultRule,
          ],
        }[fault as string],
        ...(fault === "kill" ? { kill: "action:executing:1" } : {}), // between snapshot and delete
      };
    }
    case "change_disk_type": {
      const names = batch ? ["logs-1", "logs-2"] : ["logs-1"];
      return {
        rows: names.map((n) => ({
          id: `rec-${n}`,
          detector: "gp2_volume",
          kind,
          resource: diskId(n),
          current: "Premium_LRS 128 GB",
          target: "StandardSSD_LRS",
        })),
        seed: (r) => {
          for (const n of names) r.disk(diskId(n), { sku: "Premium_LRS", sizeGb: 128 });
        },
        options: fault === "capacity" ? { allocationFailedSizes: [FROM, TO] } : {},
        faults: {
          throttle: [{ kind: "throttle", call: "disks.update" } as FaultRule],
          timeout: [{ kind: "timeout", call: "disks.update" } as FaultRule],
          "5xx": [{ kind: "server", call: "disks.update" } as FaultRule],
          batch: [
            { kind: "server", call: "disks.update", resource: "/logs-2", times: Infinity } as FaultRule,
          ],
        }[fault as string],
        ...(fault === "kill" ? { kill: "action:executing:0:applied" } : {}), // changed, not yet recorded done
      };
    }
  }
}

const CHILD = path.join(import.meta.dirname, "child.ts");

function runChild(
  dataDir: string,
  fault?: string,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD, dataDir], {
      env: {
        ...process.env,
        CCO_FAULT: fault ?? "",
        NODE_TLS_REJECT_UNAUTHORIZED: "0",
        NODE_NO_WARNINGS: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (c) => {
      stderr += c;
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve({ code, signal, stderr }));
  });
}

export interface Scenario {
  row: FaultRow;
  actions: Action[];
  log: LoggedRequest[];
  replay: AzureReplay;
  /** Set when a kill scenario's child runs did not go as planned. */
  childProblem?: string;
}

/** Requests that changed the cloud more than once under one x-ms-client-request-id. */
export function appliedTwice(log: LoggedRequest[]): number {
  const counts = new Map<string, number>();
  for (const e of log)
    if (e.applied && e.clientRequestId)
      counts.set(e.clientRequestId, (counts.get(e.clientRequestId) ?? 0) + 1);
  return [...counts.values()].filter((n) => n > 1).length;
}

/** Every undone or failed action's resource is as its prior state recorded (status, size, GB, attachments). */
async function restoredAll(adapter: CloudAdapter, actions: Action[]): Promise<boolean> {
  for (const a of actions.filter((x) => ["rolled_back", "failed"].includes(x.state) && x.prior_state)) {
    const prior = a.prior_state!;
    const undoOutputs = Object.fromEntries(
      Object.entries(a.outputs)
        .filter(([k]) => k.startsWith("undo:"))
        .map(([k, v]) => [k.slice(5), v]),
    );
    const id = kindNamed(a.kind)?.undoneResource?.(prior, undoOutputs) ?? a.resource_id;
    const now = await adapter.describe(id);
    const off = mismatches(now, {
      exists: true,
      ...(prior.status ? { status: [prior.status] } : {}),
      ...(prior.size ? { size: prior.size } : {}),
      ...(prior.sizeGb !== undefined ? { sizeGb: prior.sizeGb } : {}),
      attachedTo: prior.attachedTo ?? [],
    });
    if (off.length) return false;
  }
  return true;
}

export async function runScenario(kind: MatrixKind, fault: MatrixFault): Promise<Scenario> {
  const p = plan(kind, fault);
  const replay = await startAzureReplay({ timeoutDelayMs: REQUEST_TIMEOUT_MS * 4, ...p.options });
  try {
    p.seed(replay);
    replay.faults.push(...(p.faults ?? []));
    const { warehouse, config, dataDir } = await azureEstate(replay.url, p.rows);
    const adapter = createAzureAdapter(config, {
      credential: staticCredential,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
    });
    let childProblem: string | undefined;
    let w = warehouse;
    if (p.kill) {
      await warehouse.close();
      const killed = await runChild(dataDir, p.kill);
      const again = await runChild(dataDir);
      if (killed.signal !== "SIGKILL")
        childProblem = `the first run was not killed at ${p.kill}: ${killed.code} ${killed.stderr}`;
      else if (again.code !== 0)
        childProblem = `the second run failed: ${again.code} ${again.signal} ${again.stderr}`;
      w = await Warehouse.open({ path: path.join(dataDir, "warehouse.duckdb"), threads: 1 });
    } else {
      await runExecutor(warehouse, config, {
        trigger: "cli",
        now: RUN_AT,
        adapters: { azure: adapter },
        sleep: async () => undefined,
      });
    }
    try {
      const actions = await loadActions(w, "mode = 'execute'");
      const row: FaultRow = {
        provider: "azure",
        kind,
        fault,
        outcome: childProblem
          ? `broken run: ${childProblem}`
          : actions.map((a) => a.state).join("+") || "none started",
        unknown: actions.filter((a) => INTERRUPTED.includes(a.state)).length,
        appliedTwice: appliedTwice(replay.log),
        restored: await restoredAll(adapter, actions),
        auditIntact: (await verifyAudit(w)).intact,
      };
      return { row, actions, log: [...replay.log], replay, ...(childProblem ? { childProblem } : {}) };
    } finally {
      await w.close();
    }
  } finally {
    await replay.close();
  }
}

/** The whole matrix, one row per kind and fault. */
export async function faultMatrixAzure(): Promise<FaultRow[]> {
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
  const rows: FaultRow[] = [];
  for (const kind of MATRIX_KINDS)
    for (const fault of MATRIX_FAULTS) rows.push((await runScenario(kind, fault)).row);
  return rows;
}
