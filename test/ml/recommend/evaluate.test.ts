import { describe, expect, it } from "vitest";
import {
  type EvaluatedRecommendation,
  type EvaluationTruth,
  evaluateRecommendations,
} from "../../../ml/recommend/evaluate.ts";
import { formatEvaluation } from "../../../ml/recommend/evaluation-table.ts";

const targets = { precision: 0.95, recall: 0.9, savings_tolerance: 0.05, review_utilization: 0.8 };

const truth: EvaluationTruth = {
  cases: [
    {
      case: "idle_vm",
      resource_id: "i-1",
      expected_finding: { action: "stop_instance", target: null },
      expected_monthly_savings: "100.00",
    },
    {
      case: "idle_vm",
      resource_id: "i-2",
      expected_finding: { action: "stop_instance", target: null },
      expected_monthly_savings: "50.00",
    },
    {
      case: "oversized_vm",
      resource_id: "/subscriptions/S/VM",
      expected_finding: { action: "resize_instance", target: "D2" },
      expected_monthly_savings: "40.00",
    },
    {
      case: "peaky_vm",
      resource_id: "i-peak",
      expected_finding: null,
      must_not: "any",
      expected_monthly_savings: "0.00",
    },
  ],
  commitment_purchases: [{ billing_account_id: "acct", expected_monthly_savings: "200.00" }],
  commitments: [
    { id: "/providers/Microsoft.Capacity/reservationOrders/O", utilization: 0.6 },
    { id: "sp-1", utilization: 0.95 },
  ],
};

const rec = (
  detector: string,
  resource_id: string,
  savings: number,
  target: string | null = null,
): EvaluatedRecommendation => ({
  recommendation_id: `${detector}|${resource_id}`,
  detector,
  resource_id,
  target_configuration: target,
  estimated_monthly_savings_at_list: savings,
});

describe("recommend evaluate", () => {
  it("scores each detector against the truth, ids case-insensitively, and passes when every target is met", () => {
    const e = evaluateRecommendations(
      [
        rec("idle_vm", "i-1", 100),
        rec("idle_vm", "i-2", 51),
        rec("rightsizing", "/subscriptions/s/vm", 40, "D2"),
        rec("commitment_purchase", "ACCT", 199),
        rec("commitment_review", "/providers/microsoft.capacity/reservationorders/o/reservations/r", 0),
      ],
      truth,
      targets,
    );
    expect(
      e.detectors.map((d) => [d.detector, d.true_positives, d.false_positives, d.false_negatives, d.met]),
    ).toEqual([
      ["commitment_purchase", 1, 0, 0, true],
      ["commitment_review", 1, 0, 0, true],
      ["idle_vm", 2, 0, 0, true],
      ["rightsizing", 1, 0, 0, true],
    ]);
    expect(e.detectors.find((d) => d.detector === "idle_vm")!.savings_max_error).toBeCloseTo(0.02, 6);
    expect(e.passed).toBe(true);
    expect(formatEvaluation(e)).toMatch(/^PASSED: 4 of 4 detectors/m);
  });

  it("fails on a false positive, a wrong target, a miss, a savings error and a must-not violation", () => {
    const e = evaluateRecommendations(
      [
        rec("idle_vm", "i-1", 120), // 20% off
        rec("idle_vm", "i-3", 10), // not planted
        rec("rightsizing", "/subscriptions/s/vm", 40, "D4"), // wrong target
        rec("rightsizing", "i-peak", 30, "m5.large"), // must not
      ],
      truth,
      targets,
    );
    const idle = e.detectors.find((d) => d.detector === "idle_vm")!;
    expect([idle.precision, idle.recall, idle.savings_misses, idle.met]).toEqual([0.5, 0.5, 1, false]);
    const rightsizing = e.detectors.find((d) => d.detector === "rightsizing")!;
    expect([rightsizing.true_positives, rightsizing.false_positives, rightsizing.false_negatives]).toEqual([
      0, 2, 1,
    ]);
    expect(e.detectors.find((d) => d.detector === "commitment_purchase")).toMatchObject({
      recall: 0,
      met: false,
    });
    expect(e.violations).toEqual([
      {
        recommendation_id: "rightsizing|i-peak",
        detector: "rightsizing",
        resource_id: "i-peak",
        case: "peaky_vm",
        must_not: "any",
      },
    ]);
    expect(e.passed).toBe(false);
    const table = formatEvaluation(e);
    expect(table).toContain("rightsizing on i-peak (peaky_vm, must not: any)");
    expect(table).toMatch(/^FAILED: 0 of 4 detectors .*; 1 must-not violations$/m);
  });
});
