/**
 * The approval table: one row per open recommendation with empty decision
 * columns for platform engineers to fill in (approve / reject), as CSV that any
 * spreadsheet opens, highest priority first, with the risk level and effort beside it. Rows keep
 * the recommendation's stable id, so a decision still points at the same recommendation after
 * the next run.
 */
import { produceFileAtomic } from "../../core/files.ts";
import { countRows, lit } from "../../core/sql.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";

export const APPROVAL_COLUMNS = [
  "recommendation_id",
  "priority",
  "risk_level",
  "effort",
  "provider",
  "billing_account_id",
  "sub_account_id",
  "resource_id",
  "category",
  "action",
  "current_configuration",
  "target_configuration",
  "estimated_monthly_savings",
  "currency",
  "explanation",
  "decision",
  "decided_by",
  "note",
] as const;

export async function exportApprovalTable(warehouse: Warehouse, file: string): Promise<number> {
  await produceFileAtomic(file, (partial) =>
    warehouse.run(`copy (
      select recommendation_id, priority, risk_level, effort, provider, billing_account_id, sub_account_id, resource_id, category, action,
        current_configuration, target_configuration, estimated_monthly_savings, currency, explanation,
        '' as decision, '' as decided_by, '' as note
      from marts.recommendations where status = 'open'
      order by priority desc nulls last, estimated_monthly_savings desc, recommendation_id
    ) to ${lit(partial)} (format csv, header)`),
  );
  return countRows(warehouse, "marts.recommendations", "status = 'open'");
}
