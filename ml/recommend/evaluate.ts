/**
 * `cco recommend evaluate --truth truth.json`: marts.recommendations scored against a planted
 * truth (the generator's truth.json, or any file of that shape). Per detector: precision, recall
 * and the savings error of the true positives; and every recommendation on a resource a correct
 * tool must leave alone (protected, peaky). The grain is the resource (a commitment purchase:
 * the billing account; a commitment review: the commitment); ids compare case-insensitively,
 * as Azure's do.
 */

/** The part of truth.json the evaluation reads. */
export interface EvaluationTruth {
  cases: {
    case: string;
    resource_id: string;
    expected_finding: { action: string; target: string | null } | null;
    must_not?: string;
    expected_monthly_savings: string;
  }[];
  commitment_purchases?: { billing_account_id: string; expected_monthly_savings: string }[];
  commitments?: { id: string; utilization?: number }[];
}

/** One row of marts.recommendations, as the evaluation reads it. */
export interface EvaluatedRecommendation {
  recommendation_id: string;
  detector: string;
  resource_id: string;
  target_configuration: string | null;
  /** At list price, as the truth states savings (730-hour month, on-demand list). */
  estimated_monthly_savings_at_list: number;
}

export interface Targets {
  precision: number;
  recall: number;
  /** Each true positive's savings within this share of the truth's. */
  savings_tolerance: number;
  /** Commitments used less than this are expected under review (the detector's threshold). */
  review_utilization: number;
}

export const DEFAULT_TARGETS: Omit<Targets, "review_utilization"> = {
  precision: 0.95,
  recall: 0.9,
  savings_tolerance: 0.05,
};

/** Which detector finds which planted case. */
export const DETECTOR_OF_CASE: Record<string, string> = {
  idle_vm: "idle_vm",
  oversized_vm: "rightsizing",
  previous_generation_vm: "previous_generation",
  nonprod_24x7: "schedule",
  spot_candidate: "spot",
  stopped_vm_disk: "stopped_vm_volume",
  unattached_disk: "unattached_volume",
  old_snapshot: "old_snapshot",
  unassociated_ip: "idle_address",
  gp2_volume: "gp2_volume",
  cold_bucket: "bucket_lifecycle",
};

export interface DetectorScore {
  detector: string;
  expected: number;
  found: number;
  true_positives: number;
  false_positives: number;
  false_negatives: number;
  precision: number | null;
  recall: number | null;
  /** True positives whose savings are outside the tolerance, and the worst error (share). */
  savings_misses: number;
  savings_max_error: number | null;
  met: boolean;
}

export interface Violation {
  recommendation_id: string;
  detector: string;
  resource_id: string;
  case: string;
  must_not: string;
}

export interface Evaluation {
  targets: Targets;
  detectors: DetectorScore[];
  violations: Violation[];
  /** Examples of each kind of miss, for whoever debugs a detector. */
  misses: {
    detector: string;
    kind: "false_positive" | "false_negative" | "savings";
    resource_id: string;
    detail: string;
  }[];
  passed: boolean;
}

interface Expected {
  detector: string;
  key: string;
  target: string | null;
  savings: number | null;
}

const key = (id: string) => id.toLowerCase();

function expectedFindings(truth: EvaluationTruth, targets: Targets): Expected[] {
  const expected: Expected[] = [];
  for (const c of truth.cases) {
    const detector = DETECTOR_OF_CASE[c.case];
    if (!detector || !c.expected_finding) continue;
    expected.push({
      detector,
      key: key(c.resource_id),
      target: c.expected_finding.target,
      savings: Number(c.expected_monthly_savings),
    });
  }
  for (const p of truth.commitment_purchases ?? [])
    expected.push({
      detector: "commitment_purchase",
      key: key(p.billing_account_id),
      target: null,
      savings: Number(p.expected_monthly_savings),
    });
  for (const c of truth.commitments ?? [])
    if (c.utilization !== undefined && c.utilization < targets.review_utilization)
      expected.push({ detector: "commitment_review", key: key(c.id), target: null, savings: null });
  return expected;
}

/** A commitment's id in the billing can extend the one the truth names (an Azure order's reservation). */
function sameResource(detector: string, found: string, expected: string): boolean {
  return found === expected || (detector === "commitment_review" && found.startsWith(`${expected}/`));
}

export function evaluateRecommendations(
  recommendations: EvaluatedRecommendation[],
  truth: EvaluationTruth,
  targets: Targets,
): Evaluation {
  const expected = expectedFindings(truth, targets);
  const detectors = [
    ...new Set([...expected.map((e) => e.detector), ...recommendations.map((r) => r.detector)]),
  ].sort();
  const misses: Evaluation["misses"] = [];
  const scores = detectors.map((detector): DetectorScore => {
    const want = expected.filter((e) => e.detector === detector);
    const got = recommendations.filter((r) => r.detector === detector);
    const matched = new Set<Expected>();
    let tp = 0;
    let savingsMisses = 0;
    let worst: number | null = null;
    for (const r of got) {
      const e = want.find(
        (w) =>
          !matched.has(w) &&
          sameResource(detector, key(r.resource_id), w.key) &&
          (w.target === null || w.target === r.target_configuration),
      );
      if (!e) {
        misses.push({
          detector,
          kind: "false_positive",
          resource_id: r.resource_id,
          detail: `target ${r.target_configuration ?? "none"}`,
        });
        continue;
      }
      matched.add(e);
      tp++;
      if (e.savings !== null && e.savings > 0) {
        const error = Math.abs(r.estimated_monthly_savings_at_list - e.savings) / e.savings;
        worst = Math.max(worst ?? 0, error);
        if (error > targets.savings_tolerance) {
          savingsMisses++;
          misses.push({
            detector,
            kind: "savings",
            resource_id: r.resource_id,
            detail: `${r.estimated_monthly_savings_at_list} vs truth ${e.savings}`,
          });
        }
      }
    }
    for (const w of want)
      if (!matched.has(w))
        misses.push({
          detector,
          kind: "false_negative",
          resource_id: w.key,
          detail: `expected target ${w.target ?? "none"}`,
        });
    const precision = got.length ? tp / got.length : null;
    const recall = want.length ? tp / want.length : null;
    return {
      detector,
      expected: want.length,
      found: got.length,
      true_positives: tp,
      false_positives: got.length - tp,
      false_negatives: want.length - tp,
      precision,
      recall,
      savings_misses: savingsMisses,
      savings_max_error: worst,
      met:
        (precision === null || precision >= targets.precision) &&
        (recall === null || recall >= targets.recall) &&
        savingsMisses === 0,
    };
  });
  const mustNot = new Map(truth.cases.filter((c) => c.must_not).map((c) => [key(c.resource_id), c]));
  const violations: Violation[] = recommendations.flatMap((r) => {
    const c = mustNot.get(key(r.resource_id));
    // "any": peaky and protected resources take no recommendation at all; else the detector named
    // (a hot bucket must get no lifecycle rule).
    return c && (c.must_not === "any" || c.must_not === r.detector)
      ? [
          {
            recommendation_id: r.recommendation_id,
            detector: r.detector,
            resource_id: r.resource_id,
            case: c.case,
            must_not: c.must_not!,
          },
        ]
      : [];
  });
  return {
    targets,
    detectors: scores,
    violations,
    misses,
    passed: scores.every((s) => s.met) && violations.length === 0,
  };
}
