/** A conformance report: each rule's result, the counts, the score and the failing MUST rules. */
import { isMust } from "./model.ts";

export interface RuleResult {
  id: string;
  keyword: string;
  reference: string;
  status: "pass" | "fail" | "skipped";
  /** Rows (or groups) that break the rule, for row-level checks. */
  failing?: number;
  reason?: string;
  requirement: string;
  /** Where the model's encoding of the rule was corrected to match its text. */
  erratum?: string;
}

/** What a result says about its rule before it is checked: everything but the outcome. */
export type RuleInfo = Omit<RuleResult, "status" | "failing" | "reason">;

export interface ConformanceReport {
  relation: string;
  version: string;
  /** Rows in the relation: 0 means no row-level rule had anything to check. */
  rowsChecked: number;
  rules: RuleResult[];
  passed: number;
  failed: number;
  skipped: number;
  /** Share of applicable rules that pass, 0-100, to one decimal. */
  score: number;
  /** Applicable MUST / MUST NOT rules that fail. */
  mustFailures: number;
}

/** The report over the rules' results (in any order; the report lists them by id). */
export function summarize(
  relation: string,
  version: string,
  rowsChecked: number,
  results: readonly RuleResult[],
): ConformanceReport {
  const rules = [...results].sort((a, b) => a.id.localeCompare(b.id));
  const passed = rules.filter((r) => r.status === "pass").length;
  const failed = rules.filter((r) => r.status === "fail").length;
  const skipped = rules.filter((r) => r.status === "skipped").length;
  return {
    relation,
    version,
    rowsChecked,
    rules,
    passed,
    failed,
    skipped,
    score: passed + failed ? Math.round((1000 * passed) / (passed + failed)) / 10 : 0,
    mustFailures: rules.filter((r) => r.status === "fail" && isMust(r.keyword)).length,
  };
}
