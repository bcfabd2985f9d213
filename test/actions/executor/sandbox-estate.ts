/**
 * A tiny demo estate through the whole pipeline, its approval queue, and approvals of one row per
 * automated kind by as many approvers as its rules need (the irreversible ones acknowledged), for
 * the sandbox-backed executor tests. approvedEstateIn works outside vitest too (fault-matrix.ts).
 */
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { refreshApprovalQueue } from "../../../actions/approvals/queue.ts";
import { type Config, loadConfig } from "../../../core/config.ts";
import { createProgress } from "../../../core/log.ts";
import { closeWarehouse, openWarehouse, type Warehouse } from "../../../core/warehouse/warehouse.ts";
import { runPipeline } from "../../../orchestrator/pipeline.ts";
import { tempDir } from "../../helpers/tmp.ts";

export const ESTATE_YAML =
  "generate:\n  resources: 60\n  days: 35\nactions:\n  mode: execute\n  caps: {max_concurrent_per_account: 10}\n";

export const ALL_KINDS = [
  "stop_vm",
  "resize_vm",
  "schedule_vm",
  "change_disk_type",
  "snapshot_delete_disk",
  "delete_snapshot",
  "release_address",
];

export interface ApprovedEstate {
  warehouse: Warehouse;
  config: Config;
  dataDir: string;
  /** Approved kind → the resource its row changes. */
  approved: Record<string, string>;
}

/** The estate in `dataDir` (made by the caller), its warehouse left open (closeWarehouse). */
export async function approvedEstateIn(
  dataDir: string,
  kinds: string[],
  approvedAt: string,
): Promise<ApprovedEstate> {
  const configFile = path.join(dataDir, "cco.config.yaml");
  writeFileSync(configFile, ESTATE_YAML);
  const config = loadConfig({ configFile, dataDir, env: {} });
  const warehouse = await openWarehouse(config);
  await runPipeline(
    warehouse,
    config,
    { demo: true, inputs: [], demoActions: false },
    createProgress({ quiet: true }),
  );
  await refreshApprovalQueue(warehouse, config, new Date(approvedAt));
  const approved: Record<string, string> = {};
  for (const kind of kinds) {
    const [row] = await warehouse.all<{
      recommendation_id: string;
      version: string;
      resource_id: string;
      required_approvals: number;
    }>(
      `select recommendation_id, version, resource_id, required_approvals::integer as required_approvals
       from ops.approval_queue where action_kind = $1
       order by required_approvals, risk_score nulls last, recommendation_id limit 1`,
      [kind],
    );
    if (!row) continue;
    approved[kind] = row.resource_id;
    // As many different approvers as the rules ask (a high-risk row needs two).
    for (let n = 1; n <= row.required_approvals; n++)
      await warehouse.run(
        `insert into ops.approvals values ($1, $2, $3, 'approve', $4, $5::timestamptz, null,
           $5::timestamptz + interval 7 day, true, null, 'test', null)`,
        [`ap-${kind}-${n}`, row.recommendation_id, row.version, `demo.approver.${n}`, approvedAt],
      );
  }
  return { warehouse, config, dataDir, approved };
}

/** What the executor reads from a data dir (the estate's raw files, lake and site are not needed). */
const EXECUTOR_FILES = ["warehouse.duckdb", "audit-head.json", "sandbox", "cco.config.yaml"];

/** A copy of a closed estate's warehouse, audit anchor, sandbox and config: a fresh start, cheaply. */
export function copyExecutorFiles(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const name of EXECUTOR_FILES) cpSync(path.join(from, name), path.join(to, name), { recursive: true });
}

/** The same in a temporary folder removed after the test file. */
export function approvedEstate(kinds: string[], approvedAt: string): Promise<ApprovedEstate> {
  return approvedEstateIn(tempDir(), kinds, approvedAt);
}

export { closeWarehouse };
