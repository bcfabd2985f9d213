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
import { createHash } from "node:crypto";
import { lit } from "../sql.ts";
import type { Warehouse } from "../warehouse/warehouse.ts";
import { countLeaves, foldResults, type Leaf, planConformance } from "./evaluate.ts";
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
  /**
   * The relation's Parquet files (it reads exactly these), and the row counts of earlier checks:
   * row-level rules are counted file by file and a file counted before (same rules) is not read
   * again, so a build that rewrote one billing period rechecks that period only. Rules over
   * groups of rows (one value per account, say) still read the whole relation.
   */
  files?: { paths: string[]; counts: FileCounts };
}

/** Row-level counts per Parquet file, for the row leaves whose fingerprint is `leaves`. */
export interface FileCounts {
  leaves?: string;
  files: Record<string, { rows: number; failing: Record<string, number> }>;
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
  const { rows, failing } = options.files
    ? await countByFile(warehouse, relation, plan.leaves, options.files)
    : await countLeaves(warehouse, relation, plan.leaves);
  return summarize(relation, version, rows, foldResults(plan, failing));
}

/** countLeaves with row leaves summed over the files (counted where `cache` lacks them; `cache` updated). */
async function countByFile(
  warehouse: Warehouse,
  relation: string,
  leaves: readonly Leaf[],
  { paths, counts: cache }: { paths: string[]; counts: FileCounts },
): Promise<{ rows: number; failing: Record<string, number> }> {
  const rowLeaves = leaves.filter((leaf) => "rows" in leaf);
  const fingerprint = createHash("sha256").update(JSON.stringify(rowLeaves)).digest("hex");
  if (cache.leaves !== fingerprint) cache.files = {};
  cache.leaves = fingerprint;
  const kept: FileCounts["files"] = {};
  for (const file of paths) {
    kept[file] = cache.files[file] ?? (await countLeaves(warehouse, `read_parquet(${lit(file)})`, rowLeaves));
  }
  cache.files = kept;
  const failing: Record<string, number> = {};
  let rows = 0;
  for (const counted of Object.values(kept)) {
    rows += counted.rows;
    for (const [id, n] of Object.entries(counted.failing)) failing[id] = (failing[id] ?? 0) + n;
  }
  const groupLeaves = leaves.filter((leaf) => !("rows" in leaf));
  if (groupLeaves.length)
    Object.assign(failing, (await countLeaves(warehouse, relation, groupLeaves)).failing);
  return { rows, failing };
}
