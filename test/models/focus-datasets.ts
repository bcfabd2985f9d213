/** FOCUS conformance of one source dataset's rows in marts.focus_costs, with the warehouse's criteria. */
import { WAREHOUSE_CRITERIA } from "../../core/focus/criteria.ts";
import { type ConformanceReport, checkConformance } from "../../core/focus/conformance.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";

export async function checkDataset(w: Warehouse, dataset: string): Promise<ConformanceReport> {
  const view = `main.focus_${dataset}`;
  await w.run(
    `create or replace view ${view} as select * from marts.focus_costs where x_SourceDataset = '${dataset}'`,
  );
  return checkConformance(w, view, { criteria: WAREHOUSE_CRITERIA });
}

/** The applicable MUST / MUST NOT rules a report fails. */
export function mustFailures(report: ConformanceReport): ConformanceReport["rules"] {
  return report.rules.filter((r) => r.status === "fail" && /^MUST/.test(r.keyword));
}
