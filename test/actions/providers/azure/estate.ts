/**
 * A warehouse with queued, approved Azure rows for the executor (as test/actions/executor/fixture.ts
 * seeds AWS ones), its config pointing the azure adapter at a replay server.
 */
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Config } from "../../../../core/config.ts";
import { Warehouse } from "../../../../core/warehouse/warehouse.ts";
import { azureConfig, SUB } from "./setup.ts";

export { RUN_AT } from "./setup.ts";

export interface AzureRow {
  id: string;
  detector: string;
  kind: string;
  resource: string;
  current: string;
  target?: string;
}

export async function azureEstate(
  url: string,
  rows: AzureRow[],
  dir = mkdtempSync(path.join(os.tmpdir(), "cco-azure-e2e-")),
): Promise<{ warehouse: Warehouse; config: Config; dataDir: string }> {
  const config = azureConfig(dir, url, "  caps: {max_concurrent_per_account: 10}\n");
  const warehouse = await Warehouse.open({ path: path.join(dir, "warehouse.duckdb"), threads: 1 });
  for (const r of rows) {
    await warehouse.run(
      `insert into ops.approval_queue (recommendation_id, version, provider, billing_account_id, sub_account_id, resource_id,
         region, detector, category, action, action_kind, irreversible, current_configuration, target_configuration,
         estimated_monthly_savings, currency, risk_level, risk_score, priority, required_approvals, queued_at)
       values ($1, 'v1', 'azure', $2, $2, $3, 'westeurope', $4, 'rightsizing', $4, $5, false, $6, $7, 100, 'EUR', 'low', 10, 5, 1,
         '2026-11-01T00:00:00Z')`,
      [r.id, SUB, r.resource, r.detector, r.kind, r.current, r.target ?? null],
    );
    await warehouse.run(
      `insert into ops.approvals values ($1, $2, 'v1', 'approve', 'alice', '2026-11-01T12:00:00Z', null,
         '2026-11-08T12:00:00Z', false, null, 'test', null)`,
      [`ap-${r.id}`, r.id],
    );
  }
  return { warehouse, config, dataDir: dir };
}
