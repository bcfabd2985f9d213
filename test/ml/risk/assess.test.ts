import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { recommendSchema } from "../../../core/recommend-settings.ts";
import { ACTION_PROFILES } from "../../../ml/risk/actions.ts";
import { assess, type Candidate, levelOf, priorityOf, type Usage } from "../../../ml/risk/assess.ts";

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
