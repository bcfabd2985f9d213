/**
 * The fault matrix in the sandbox cloud: each fault actions.sandbox can inject, over one batch of
 * approved actions (one per automated kind), from the same starting point: a row per fault and
 * action with its outcome (executed, retried, reconciled after a timeout, undone, refused at
 * pre-flight, failed before any change), actions left in an unknown state, operations applied
 * twice, whether the resource is as the outcome says, and whether the audit log verifies.
 *
 * Works outside vitest: `npx tsx test/actions/executor/fault-matrix.ts` prints the table.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { verifyAudit } from "../../../actions/audit/verify.ts";
import { INTERRUPTED } from "../../../actions/executor/records.ts";
import { runExecutor } from "../../../actions/executor/run.ts";
import { openSandbox } from "../../../actions/providers/sandbox/sandbox.ts";
import { loadConfig } from "../../../core/config.ts";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { type ActionRow, appliedBy, appliedTwice, executedActions, resourceDiffers } from "./outcomes.ts";
import {
  ALL_KINDS,
  approvedEstateIn,
  closeWarehouse,
  copyExecutorFiles,
  ESTATE_YAML,
} from "./sandbox-estate.ts";
import type { FaultRow } from "../../helpers/fault-row.ts";

export type { FaultRow };

interface Scenario {
  fault: string;
  sandbox: Record<string, unknown>;
}

/** The faults, aimed at the estate's approved resources where a fault names one. */
function scenarios(approved: Record<string, string>, resizeTarget: string): Scenario[] {
  return [
    { fault: "none", sandbox: {} },
    { fault: "throttle_rate 0.3", sandbox: { throttle_rate: 0.3 } },
    { fault: "server_error_rate 0.3", sandbox: { server_error_rate: 0.3 } },
    { fault: "timeout_rate 0.3", sandbox: { timeout_rate: 0.3 } },
    { fault: `capacity_errors ${resizeTarget}`, sandbox: { capacity_errors: [resizeTarget] } },
    { fault: "deny release_address", sandbox: { deny: ["release_address"] } },
    {
      fault: "fail_resources change_disk_type's volume (server)",
      sandbox: { fail_resources: [{ resource_id: approved.change_disk_type, code: "server" }] },
    },
    {
      fault: "fail_resources snapshot_delete_disk's volume (conflict)",
      sandbox: { fail_resources: [{ resource_id: approved.snapshot_delete_disk, code: "conflict" }] },
    },
  ];
}

/** What happened to one action, from its final state and the calls the sandbox logged for it. */
export function outcomeOf(a: ActionRow, calls: { outcome: string }[]): string {
  const errors = calls.map((c) => c.outcome).filter((o) => o !== "ok" && o !== "replayed");
  const retried = errors.filter((o) => o === "throttled" || o === "server");
  const timeouts = errors.filter((o) => o === "timeout").length;
  const last = errors.at(-1) ?? "no error";
  switch (a.state) {
    case "verifying":
    case "succeeded": {
      const notes = [
        retried.length ? `retried ${retried.length}× (${[...new Set(retried)].join(", ")})` : "",
        timeouts ? `${timeouts} timeout${timeouts > 1 ? "s" : ""} reconciled` : "",
      ].filter(Boolean);
      return `executed${notes.length ? `, ${notes.join(", ")}` : ""}`;
    }
    case "failed":
      return a.error?.startsWith("pre-flight")
        ? `refused at pre-flight (${a.error.replace(/^pre-flight: /, "").split(" (")[0]})`
        : `failed before any change (${last})`;
    case "rolled_back":
      return `undone to the prior state (${last})`;
    default:
      return `${a.state}: ${a.error ?? ""}`;
  }
}

const noSleep = async () => undefined;

async function runScenario(template: string, dir: string, scenario: Scenario): Promise<FaultRow[]> {
  copyExecutorFiles(template, dir);
  const configFile = path.join(dir, "cco.config.yaml");
  writeFileSync(configFile, `${ESTATE_YAML}  sandbox: ${JSON.stringify(scenario.sandbox)}\n`);
  const config = loadConfig({ configFile, dataDir: dir, env: {} });
  const warehouse = await Warehouse.open({ path: config.warehouse.path, threads: 1 });
  try {
    await runExecutor(warehouse, config, { trigger: "cli", sleep: noSleep });
    const actions = await executedActions(warehouse);
    const auditIntact = (await verifyAudit(warehouse)).intact;
    const sandbox = await openSandbox(config);
    const requests = sandbox.state().requests;
    const rows: FaultRow[] = [];
    for (const a of actions) {
      const calls = requests.filter(
        (r) => r.call === "perform" && r.token?.startsWith(`${a.idempotency_token}:`),
      );
      rows.push({
        provider: a.provider,
        kind: a.kind,
        fault: scenario.fault,
        outcome: outcomeOf(a, calls),
        unknown: (INTERRUPTED as readonly string[]).includes(a.state) ? 1 : 0,
        appliedTwice: appliedTwice(appliedBy(requests, a)).length,
        restored: !(await resourceDiffers(sandbox, a)).length,
        auditIntact,
      });
    }
    return rows;
  } finally {
    await warehouse.close();
  }
}

/**
 * Build a tiny estate with one approved row per automated kind, then run the executor once per
 * fault on a copy of it. `dir`: where to work (kept); default a temporary folder removed after.
 */
export async function faultMatrixSandbox(options: { dir?: string } = {}): Promise<FaultRow[]> {
  const root = options.dir ?? mkdtempSync(path.join(os.tmpdir(), "cco-fault-matrix-"));
  try {
    const template = path.join(root, "estate");
    mkdirSync(template, { recursive: true });
    const estate = await approvedEstateIn(
      template,
      ALL_KINDS,
      new Date(Date.now() - 3_600_000).toISOString(),
    );
    const [row] = await estate.warehouse.all<{ target_configuration: string }>(
      "select target_configuration from ops.approval_queue where resource_id = $1 and action_kind = 'resize_vm'",
      [estate.approved.resize_vm ?? ""],
    );
    const resizeTarget = row?.target_configuration.split(/\s/)[0] ?? "";
    await openSandbox(estate.config, estate.warehouse);
    await closeWarehouse();
    const rows: FaultRow[] = [];
    for (const [i, scenario] of scenarios(estate.approved, resizeTarget).entries())
      rows.push(...(await runScenario(template, path.join(root, `fault-${i}`), scenario)));
    return rows;
  } finally {
    if (!options.dir) rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.table(await faultMatrixSandbox());
}
