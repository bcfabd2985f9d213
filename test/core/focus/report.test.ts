/** The report over the rules' results: counts, score, MUST failures (pure). */
import { describe, expect, it } from "vitest";
import { type RuleResult, summarize } from "../../../core/focus/report.ts";

const result = (id: string, keyword: string, status: RuleResult["status"]): RuleResult => ({
  id,
  keyword,
  reference: "X",
  requirement: "",
  status,
});

describe("summarizing a conformance report", () => {
  it("counts each status, scores the applicable rules and counts only failing MUST / MUST NOT rules", () => {
    const report = summarize("t", "1.2", 12, [
      result("D", "MUST", "pass"),
      result("A", "MUST NOT", "fail"),
      result("C", "SHOULD", "fail"),
      result("B", "MUST", "skipped"),
      result("E", "RECOMMENDED", "pass"),
      result("F", "MUST", "fail"),
    ]);
    expect(report).toMatchObject({
      relation: "t",
      version: "1.2",
      rowsChecked: 12,
      passed: 2,
      failed: 3,
      skipped: 1,
      score: 40, // 2 of the 5 applicable rules
      mustFailures: 2, // A and F; C is a recommendation
    });
    expect(report.rules.map((r) => r.id)).toEqual(["A", "B", "C", "D", "E", "F"]);
  });

  it("rounds the score to one decimal, and scores 0 when no rule applies", () => {
    const rules = [result("A", "MUST", "pass"), result("B", "MUST", "pass"), result("C", "MUST", "fail")];
    expect(summarize("t", "1.2", 1, rules).score).toBe(66.7);
    expect(summarize("t", "1.2", 0, [result("A", "MUST", "skipped")]).score).toBe(0);
  });
});
