import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { recommendSchema } from "../../../core/recommend-settings.ts";
import { ACTION_PROFILES } from "../../../ml/risk/actions.ts";
import { assess, type Candidate, levelOf, priorityOf, type Usage } from "../../../ml/risk/assess.ts";
import { predictedOnTarget } from "../../../ml/risk/job.ts";
import type { UtilizationPrediction } from "../../../ml/utilization/on-target.ts";

const recommend = recommendSchema.parse({});
const settings = { recommend, environmentTagKeys: ["env", "user_env"] };

const candidate = (over: Partial<Candidate>): Candidate => ({
  recommendation_id: "r1",
  detector: "idle_vm",
  action: "stop_instance",
  resource_id: "i-1",
  resource_type: "virtual_machine",
  current_configuration: "m5.large",
  target_configuration: null,
  estimated_monthly_savings: 70,
  currency: "USD",
  confidence: 1,
  evidence: {},
  tags: {},
  lookback_days: 14,
  ...over,
});

const usage = (over: Partial<Usage> = {}): Usage => ({
  lookback_days: 14,
  hours_observed: 336,
  days_observed: 14,
  cpu_p95_pct: 1,
  cpu_p99_5_pct: 2,
  cpu_max_pct: 2,
  memory_p99_5_pct: null,
  memory_measured: false,
  off_hours_cpu_p95_pct: 1,
  ...over,
});

describe("priority", () => {
  it("is the plan's formula: min(savings / 1000, 10) - risk penalty + effort bonus", () => {
    expect(priorityOf(2500, "low", "easy", recommend)).toBe(4.5);
    expect(priorityOf(2500, "medium", "medium", recommend)).toBe(1.5);
    expect(priorityOf(50_000, "high", "hard", recommend)).toBe(5);
    expect(priorityOf(0, "high", "hard", recommend)).toBe(-5);
  });

  it("takes its weights from the config", () => {
    const custom = recommendSchema.parse({ priority: { savings_per_point: 100, risk_penalty: { high: 1 } } });
    expect(priorityOf(250, "high", "easy", custom)).toBe(3.5);
  });
});

describe("risk levels", () => {
  it("follow the configured thresholds", () => {
    expect([0, 34, 35, 64, 65, 100].map((s) => levelOf(s, recommend))).toEqual([
      "low",
      "low",
      "medium",
      "medium",
      "high",
      "high",
    ]);
  });
});

describe("the assessment", () => {
  it("scores five factors, each with a sentence of evidence", () => {
    const a = assess(candidate({}), usage(), settings);
    expect(a.risk_factors.map((f) => f.factor)).toEqual([
      "performance",
      "availability",
      "rollback",
      "criticality",
      "data_confidence",
    ]);
    for (const f of a.risk_factors) {
      expect(f.score).toBeGreaterThanOrEqual(0);
      expect(f.score).toBeLessThanOrEqual(100);
      expect(f.evidence).toMatch(/^[A-Z].+\.$/);
    }
    expect(a.mitigations.length).toBeGreaterThan(0);
  });

  it("rates a downsize by how near its limit the peak runs on the target", () => {
    const resize = (peakPct: number) =>
      assess(
        candidate({
          action: "resize_instance",
          detector: "rightsizing",
          target_configuration: "m5.large",
          evidence: {
            vcpu: 4,
            target_vcpu: 2,
            cpu_p99_5_of_hourly_peaks_pct: peakPct,
            memory_measured: false,
          },
        }),
        usage(),
        settings,
      ).risk_factors[0]!;
    expect(resize(15).score).toBe(0); // 30% of the target at peak
    expect(resize(35).score).toBe(50); // 70%
    expect(resize(48).score).toBe(93); // 96%
    expect(resize(35).evidence).toContain("70% of m5.large");
  });

  it("rates production single instances riskier than group members or non-production ones", () => {
    const availability = (tags: Record<string, string>) =>
      assess(candidate({ action: "resize_instance", tags }), usage(), settings).risk_factors[1]!.score;
    expect(availability({ env: "prod" })).toBe(40);
    expect(availability({ user_env: "dev" })).toBe(15);
    expect(availability({ env: "prod", aws_autoscaling_group_name: "web" })).toBe(10);
  });

  it("marks irreversible changes hard to roll back, and business-critical tags critical", () => {
    const snapshot = assess(
      candidate({ action: "delete_snapshot", resource_type: "snapshot" }),
      undefined,
      settings,
    );
    expect(snapshot.risk_factors[2]).toMatchObject({ factor: "rollback", score: 90 });
    const critical = assess(candidate({ tags: { tier: "Critical" } }), usage(), settings);
    expect(critical.risk_factors[3]).toMatchObject({ factor: "criticality", score: 90 });
    expect(critical.risk_level).toBe("high");
  });

  it("lowers confidence where metrics are thin, and says what to collect", () => {
    const thin = assess(
      candidate({ confidence: 0.5 }),
      usage({ hours_observed: 168, days_observed: 7 }),
      settings,
    );
    expect(thin.risk_factors[4]).toMatchObject({ factor: "data_confidence", score: 50 });
    expect(thin.mitigations.join(" ")).toMatch(/memory agent/);
  });

  it("has a profile for every action a detector model proposes", () => {
    const dir = path.resolve(import.meta.dirname, "../../../models/intermediate/recommendations");
    const actions = readdirSync(dir)
      .filter((f) => f.startsWith("rec_"))
      .flatMap((f) =>
        [...readFileSync(path.join(dir, f), "utf8").matchAll(/'(\w+)' as action/g)].map((m) => m[1]!),
      );
    expect(actions.length).toBeGreaterThanOrEqual(12);
    expect(actions.filter((a) => !ACTION_PROFILES[a])).toEqual([]);
  });
});

describe("the performance factor with a utilization prediction", () => {
  const prediction = (over: Partial<UtilizationPrediction> = {}): UtilizationPrediction => ({
    resource_id: "i-1",
    size: "m5.xlarge",
    horizon_days: 14,
    cpu_p95_pct: 20,
    cpu_p95_low_pct: 18,
    cpu_p95_high_pct: 22,
    cpu_peak_pct: 31,
    cpu_peak_low_pct: 27.5,
    cpu_peak_high_pct: 35,
    memory_p95_pct: null,
    memory_p95_low_pct: null,
    memory_p95_high_pct: null,
    memory_peak_pct: null,
    memory_peak_low_pct: null,
    memory_peak_high_pct: null,
    ...over,
  });
  const resize = candidate({
    action: "resize_instance",
    detector: "rightsizing",
    current_configuration: "m5.xlarge",
    target_configuration: "m5.large",
    // The measured rule would say 2 x 15% = 30% on the target: comfortable.
    evidence: { vcpu: 4, target_vcpu: 2, cpu_p99_5_of_hourly_peaks_pct: 15, memory_measured: false },
  });
  const xlarge = { vcpu: 4, memory_gib: 16 };
  const large = { vcpu: 2, memory_gib: 8 };

  it("scales the prediction by the catalogue's capacity ratio, band and all", () => {
    const p = predictedOnTarget(prediction(), "m5.large", xlarge, large)!;
    expect(p.size).toBe("m5.large");
    expect(p.cpu.peak).toEqual({ point: 62, low: 55, high: 70 });
    expect(p.cpu.p95).toEqual({ point: 40, low: 36, high: 44 });
    expect(p.memory).toBeNull(); // not measured
    const withMemory = predictedOnTarget(
      prediction({
        memory_p95_pct: 40,
        memory_p95_low_pct: 38,
        memory_p95_high_pct: 42,
        memory_peak_pct: 45,
        memory_peak_low_pct: 44,
        memory_peak_high_pct: 47,
      }),
      "m5.large",
      xlarge,
      large,
    )!;
    expect(withMemory.memory!.peak).toEqual({ point: 90, low: 88, high: 94 });
  });

  it("is undefined without a prediction or a size the catalogue knows", () => {
    expect(predictedOnTarget(undefined, "m5.large", xlarge, large)).toBeUndefined();
    expect(predictedOnTarget(prediction(), "m5.large", xlarge, {})).toBeUndefined();
    expect(predictedOnTarget(prediction(), null, xlarge, large)).toBeUndefined();
  });

  it("rates a downsize by the top of the predicted peak's band on the target, and says so", () => {
    const predicted = predictedOnTarget(prediction(), "m5.large", xlarge, large);
    const performance = assess(resize, usage(), settings, predicted).risk_factors[0]!;
    expect(performance.evidence).toBe(
      "Predicted peak CPU on m5.large over the next 14 days: 62% (band 55–70%); memory is not measured.",
    );
    expect(performance.score).toBe(50); // 70% at the band's top
    // Without a prediction: the measured peak (30% on the target) as before.
    const measured = assess(resize, usage(), settings).risk_factors[0]!;
    expect(measured.evidence).toContain("The P99.5 CPU peak would run at 30% of m5.large");
    expect(measured.score).toBe(0);
  });

  it("counts memory when it is measured, and raises the mitigation when the peak nears the limit", () => {
    const hot = predictedOnTarget(
      prediction({
        memory_p95_pct: 40,
        memory_p95_low_pct: 38,
        memory_p95_high_pct: 42,
        memory_peak_pct: 45,
        memory_peak_low_pct: 44,
        memory_peak_high_pct: 47,
      }),
      "m5.large",
      xlarge,
      large,
    );
    const a = assess(resize, usage({ memory_measured: true }), settings, hot);
    expect(a.risk_factors[0]!.evidence).toBe(
      "Predicted peak CPU on m5.large over the next 14 days: 62% (band 55–70%), memory 90% (band 88–94%).",
    );
    expect(a.risk_factors[0]!.score).toBe(90);
    expect(a.mitigations).toContain("Load-test the target size, or choose the next size up.");
  });

  it("is not used for actions it does not describe", () => {
    const predicted = predictedOnTarget(prediction(), "m5.large", xlarge, large);
    const stop = assess(candidate({}), usage({ cpu_max_pct: 2 }), settings, predicted).risk_factors[0]!;
    expect(stop.evidence).toBe("Its highest hourly CPU peak in 14 days was 2%.");
  });
});
