/**
 * The approval table: one row per open recommendation with empty decision
 * columns for platform engineers to fill in (approve / reject), as CSV that any
 * spreadsheet opens. Rows keep the recommendation's stable id, so a decision
 * still points at the same recommendation after the next run.
 */
import { mkdirSync, renameSync } from "node:fs";
import path from "node:path";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";

export const APPROVAL_COLUMNS = [
  "recommendation_id",
  "priority",
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
  mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  await warehouse.run(`copy (
      select recommendation_id, priority, provider, billing_account_id, sub_account_id, resource_id, category, action,
        current_configuration, target_configuration, estimated_monthly_savings, currency, explanation,
        '' as decision, '' as decided_by, '' as note
      from marts.recommendations where status = 'open'
      order by currency, priority
    ) to '${partial.replaceAll("'", "''")}' (format csv, header)`);
  renameSync(partial, file);
  const rows = await warehouse.all<{ n: string }>(
    "select count(*)::varchar as n from marts.recommendations where status = 'open'",
  );
  return Number(rows[0]!.n);
}
