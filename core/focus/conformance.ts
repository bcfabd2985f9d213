/**
 * FOCUS conformance, driven by the official machine-readable rules model
 * (model-1.2.json): each rule's check function compiles to DuckDB SQL over the
 * dataset. A rule passes, fails (with the count of offending rows), or is skipped
 * with the reason (not applicable, column absent, not machine-checkable).
 *
 * The parts: model.ts (the rules model, its errata, applicability), predicates.ts (check
 * function → SQL), evaluate.ts (plan, one scan counting every leaf, the fold of the rules'
 * results), report.ts (counts, score, MUST failures).
 */
import type { Warehouse } from "../warehouse/warehouse.ts";
import { countLeaves, foldResults, planConformance } from "./evaluate.ts";
import { type FocusVersion, loadModel } from "./model.ts";
import { type ConformanceReport, summarize } from "./report.ts";

export type { Model, ModelRule } from "./model.ts";
export { loadModel } from "./model.ts";
export type { ConformanceReport, RuleResult } from "./report.ts";

export interface ConformanceOptions {
  /** FOCUS version of the data: rules about columns introduced later are skipped. */
  version?: FocusVersion;
  /** Applicability criteria the provider meets (e.g. COMMITMENT_DISCOUNT_SUPPORTED). */
  criteria?: string[];
}

export async function checkConformance(
  warehouse: Warehouse,
  relation: string,
  options: ConformanceOptions = {},
): Promise<ConformanceReport> {
  const version = options.version ?? "1.2";
  const described = await warehouse.all<{ column_name: string; column_type: string }>(
    `DESCRIBE SELECT * FROM ${relation}`,
  );
  const columns = new Map(described.map((c) => [c.column_name, c.column_type]));
  const plan = planConformance(
    loadModel(),
    { relation, columns },
    { version, criteria: new Set(options.criteria ?? []) },
  );
  const { rows, failing } = await countLeaves(warehouse, relation, plan.leaves);
  return summarize(relation, version, rows, foldResults(plan, failing));
}
