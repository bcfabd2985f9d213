/**
 * A tiny demo estate through the whole pipeline, its approval queue, and approvals of one row per
 * automated kind (the irreversible ones acknowledged), for the sandbox-backed executor tests.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { refreshApprovalQueue } from "../../../actions/approvals/queue.ts";
import type { Config } from "../../../core/config.ts";
import { closeWarehouse, type Warehouse } from "../../../core/warehouse/warehouse.ts";
import { runDemo } from "../../helpers/demo.ts";

export const ESTATE_YAML =
  "generate:\n  resources: 60\n  days: 35\nactions:\n  mode: execute\n  caps: {max_concurrent_per_account: 10}\n";

export async function approvedEstate(
  kinds: string[],
  approvedAt: string,
): Promise<{ warehouse: Warehouse; config: Config; dataDir: string; approved: Record<string, string> }> {
  const { warehouse, config, dataDir } = await runDemo(ESTATE_YAML);
  await refreshApprovalQueue(warehouse, config, new Date(approvedAt));
  const approved: Record<string, string> = {};
  for (const kind of kinds) {
    const [row] = await warehouse.all<{ recommendation_id: string; version: string; resource_id: string }>(
      `select recommendation_id, version, resource_id from ops.approval_queue where action_kind = $1 and required_approvals = 1
       order by risk_score nulls last, recommendation_id limit 1`,
      [kind],
    );
    if (!row) continue;
    approved[kind] = row.resource_id;
    await warehouse.run(
      `insert into ops.approvals values ($1, $2, $3, 'approve', 'demo.approver', $4::timestamptz, null,
         $4::timestamptz + interval 7 day, true, null, 'test', null)`,
      [`ap-${kind}`, row.recommendation_id, row.version, approvedAt],
    );
  }
  writeFileSync(path.join(dataDir, "cco.config.yaml"), ESTATE_YAML);
  return { warehouse, config, dataDir, approved };
}

export { closeWarehouse };
