/**
 * The risk assessor: five factors for every recommendation, each 0-100 with one sentence of
 * evidence a reviewer can check, an overall score and level, mitigations, effort, and the
 * product plan's priority. Pure: the job (job.ts) reads the candidates and writes the results.
 */
import type { RecommendSettings } from "../../core/recommend-settings.ts";
import type { OnTarget } from "../utilization/on-target.ts";
import { ACTION_PROFILES, type ActionProfile } from "./actions.ts";

/** One detector finding, as int_recommend__candidates has it. */
export interface Candidate {
  recommendation_id: string;
  detector: string;
  action: string;
  resource_id: string;
  resource_type: string;
  current_configuration: string | null;
  target_configuration: string | null;
  estimated_monthly_savings: number;
  currency: string;
  confidence: number;
  evidence: Record<string, unknown>;
  tags: Record<string, string>;
  lookback_days: number;
}

/** The VM's measured utilization (int_recommend__utilization), where it has metrics. */
export interface Usage {
  lookback_days: number;
  hours_observed: number;
  days_observed: number;
  cpu_p95_pct: number | null;
  cpu_p99_5_pct: number | null;
  cpu_max_pct: number | null;
  memory_p99_5_pct: number | null;
  memory_measured: boolean;
  off_hours_cpu_p95_pct: number | null;
}

/** The utilization job's prediction for the VM, moved to the target size (ml/utilization/on-target.ts). */
export interface PredictedOnTarget extends OnTarget {
  size: string;
}

export type RiskFactorName = "performance" | "availability" | "rollback" | "criticality" | "data_confidence";

export interface RiskFactor {
  factor: RiskFactorName;
  score: number;
  evidence: string;
}

export interface Assessment {
  recommendation_id: string;
  risk_score: number;
  risk_level: "low" | "medium" | "high";
  risk_factors: RiskFactor[];
  mitigations: string[];
  effort: "easy" | "medium" | "hard";
  priority: number;
}

/** What the assessor needs of the config: the recommend section and the environment tag keys. */
export interface RiskSettings {
  recommend: RecommendSettings;
  environmentTagKeys: string[];
}

const clamp = (x: number) => Math.max(0, Math.min(100, Math.round(x)));
const pct = (x: number) => `${Math.round(x * 10) / 10}%`;
const band = (b: { point: number; low: number; high: number }) =>
  `${pct(b.point)} (band ${Math.round(b.low * 10) / 10}–${pct(b.high)})`;

/**
 * Utilization on the target size: how near its limit the predicted peak could run (the top of its
 * band), or, without a prediction, the measured peak.
 */
function performance(
  c: Candidate,
  profile: ActionProfile,
  usage: Usage | undefined,
  predicted: PredictedOnTarget | undefined,
): RiskFactor {
  const e = c.evidence;
  if (predicted && (c.action === "resize_instance" || c.action === "change_instance_family")) {
    const { cpu, memory } = predicted;
    const top = Math.max(cpu.peak.high, memory?.peak.high ?? 0);
    return {
      factor: "performance",
      // As the measured rules below: a downsize saturates at 100%, a same-shape move is rated by its peak over 40%.
      score: clamp(c.action === "resize_instance" ? ((top - 40) / 60) * 100 : top - 40),
      evidence:
        `Predicted peak CPU on ${predicted.size} over the next ${predicted.horizonDays} days: ${band(cpu.peak)}` +
        (memory ? `, memory ${band(memory.peak)}.` : "; memory is not measured."),
    };
  }
  if (c.action === "resize_instance" && typeof e.vcpu === "number" && typeof e.target_vcpu === "number") {
    const cpuOnTarget = (Number(e.cpu_p99_5_of_hourly_peaks_pct) * e.vcpu) / e.target_vcpu;
    const memOnTarget =
      e.memory_measured && typeof e.memory_gib === "number" && typeof e.target_memory_gib === "number"
        ? (Number(e.memory_peak_pct) * e.memory_gib) / e.target_memory_gib
        : null;
    const worst = Math.max(cpuOnTarget, memOnTarget ?? 0);
    // Under 40% of the target at peak is comfortable; at 100% it saturates.
    return {
      factor: "performance",
      score: clamp(((worst - 40) / 60) * 100),
      evidence:
        `The P99.5 CPU peak would run at ${pct(cpuOnTarget)} of ${c.target_configuration}` +
        (memOnTarget === null ? "; memory is not measured." : ` and memory at ${pct(memOnTarget)}.`),
    };
  }
  if (usage && (c.action === "stop_instance" || c.action === "change_instance_family")) {
    const peak = usage.cpu_max_pct ?? 0;
    return {
      factor: "performance",
      score: clamp(c.action === "stop_instance" ? peak : peak - 40),
      evidence: `Its highest hourly CPU peak in ${usage.days_observed} days was ${pct(peak)}.`,
    };
  }
  if (c.action === "schedule_instance") {
    if (!usage)
      return { factor: "performance", score: 40, evidence: "No metrics show whether it is used off hours." };
    const off = usage.off_hours_cpu_p95_pct ?? 0;
    return {
      factor: "performance",
      score: clamp(off * 2),
      evidence: `Outside office hours its CPU peaks at ${pct(off)} (P95): ${off < 10 ? "little is running then" : "something runs then"}.`,
    };
  }
  if (profile.disruption === "interruptible")
    return {
      factor: "performance",
      score: 30,
      evidence: "Spot capacity can be reclaimed with two minutes' notice.",
    };
  if (profile.disruption === "online")
    return {
      factor: "performance",
      score: 10,
      evidence: "The new type's baseline performance is at least the old one's.",
    };
  return { factor: "performance", score: 0, evidence: "Nothing running depends on it." };
}

/** A tag key as providers spell it differently (user_cost_center, cost-center): no user prefix, case or punctuation. */
export function normalizedTagKey(key: string): string {
  return key
    .replace(/^user[:_]/i, "")
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "");
}

/** An autoscaling group, scale set or managed instance group member: others serve while it changes. */
function inGroup(c: Candidate): boolean {
  const keys = Object.keys(c.tags).map(normalizedTagKey);
  return (
    keys.some(
      (k) => k === "awsautoscalinggroupname" || k.startsWith("aksmanaged") || k === "googgkenodepool",
    ) || /virtualmachinescalesets|instancegroupmanagers/i.test(c.resource_id)
  );
}

function environment(c: Candidate, keys: string[]): string | null {
  for (const k of keys) if (c.tags[k]) return c.tags[k].toLowerCase();
  return null;
}

/** Whether users lose service while the change happens, or afterwards. */
function availability(
  c: Candidate,
  profile: ActionProfile,
  production: boolean,
  env: string | null,
): RiskFactor {
  const where = production ? "production" : env ? `environment ${env}` : "an environment no tag names";
  if (profile.disruption === "none")
    return { factor: "availability", score: 0, evidence: "The change does not touch a running service." };
  if (profile.disruption === "online")
    return { factor: "availability", score: 5, evidence: "The change is made online, without downtime." };
  if (inGroup(c))
    return {
      factor: "availability",
      score: 10,
      evidence: "It is one member of a group; the others keep serving.",
    };
  // Production, elsewhere.
  const [inProduction, elsewhere] = ({ restart: [40, 15], stop: [60, 20], interruptible: [70, 35] } as const)[
    profile.disruption
  ];
  const score = production ? inProduction : elsewhere;
  const what = { restart: "restarts", stop: "stops", interruptible: "may be interrupted" }[
    profile.disruption
  ];
  return {
    factor: "availability",
    score,
    evidence: `It is a single instance in ${where} and ${what}.`,
  };
}

function criticality(c: Candidate, s: RiskSettings, env: string | null): RiskFactor {
  const critical = Object.entries(c.tags).find(([, v]) =>
    s.recommend.risk.critical_values.includes(v.toLowerCase()),
  );
  if (critical)
    return {
      factor: "criticality",
      score: 90,
      evidence: `Tagged ${critical[0]}=${critical[1]}: business-critical.`,
    };
  if (c.resource_type === "commitment")
    return {
      factor: "criticality",
      score: 30,
      evidence: "A billing-account commitment touches no resource.",
    };
  if (env && s.recommend.risk.production.includes(env))
    return { factor: "criticality", score: 70, evidence: `Tagged environment ${env}: production.` };
  if (env && s.recommend.schedule.non_production.includes(env))
    return { factor: "criticality", score: 10, evidence: `Tagged environment ${env}: not production.` };
  return {
    factor: "criticality",
    score: 40,
    evidence: env
      ? `Environment ${env} is neither production nor listed as non-production.`
      : "No environment tag says what it serves.",
  };
}

/** How much of the lookback the decision rests on. */
function dataConfidence(c: Candidate, usage: Usage | undefined): RiskFactor {
  const score = clamp((1 - c.confidence) * 100);
  if (usage) {
    const expected = usage.lookback_days * 24;
    return {
      factor: "data_confidence",
      score,
      evidence:
        `Metrics cover ${usage.hours_observed} of ${expected} hours (${usage.days_observed} days)` +
        (usage.memory_measured ? "." : "; memory is not measured."),
    };
  }
  return {
    factor: "data_confidence",
    score,
    evidence: `From ${c.lookback_days} days of billing, confidence ${c.confidence}.`,
  };
}

export function levelOf(score: number, s: RecommendSettings): Assessment["risk_level"] {
  if (score >= s.risk.high_from) return "high";
  if (score >= s.risk.medium_from) return "medium";
  return "low";
}

/** The product plan's priority: min(savings / per, cap) − risk penalty + effort bonus. */
export function priorityOf(
  savings: number,
  level: Assessment["risk_level"],
  effort: Assessment["effort"],
  s: RecommendSettings,
): number {
  const p = s.priority;
  const points =
    Math.min(savings / p.savings_per_point, p.max_savings_points) -
    p.risk_penalty[level] +
    p.effort_bonus[effort];
  return Math.round(points * 100) / 100;
}

export function assess(
  c: Candidate,
  usage: Usage | undefined,
  s: RiskSettings,
  predicted?: PredictedOnTarget,
): Assessment {
  const profile = ACTION_PROFILES[c.action];
  if (!profile) throw new Error(`no action profile for ${c.action} (detector ${c.detector})`);
  const env = environment(c, s.environmentTagKeys);
  const critical = criticality(c, s, env);
  // A business-critical resource is treated as production whatever its environment tag says.
  const production = (env !== null && s.recommend.risk.production.includes(env)) || critical.score >= 90;
  const factors: RiskFactor[] = [
    performance(c, profile, usage, predicted),
    availability(c, profile, production, env),
    { factor: "rollback", ...profile.rollback },
    critical,
    dataConfidence(c, usage),
  ];
  // How likely the change hurts (the worst factor dominates), scaled by how much it matters:
  // criticality 50 leaves it as it is, 90 raises it by 40%, 10 lowers it by 40%.
  const likelihood = factors.filter((f) => f.factor !== "criticality").map((f) => f.score);
  const mean = likelihood.reduce((a, b) => a + b, 0) / likelihood.length;
  const impact = 0.5 + factors[3]!.score / 100;
  const risk_score = clamp((0.7 * Math.max(...likelihood) + 0.3 * mean) * impact);
  const risk_level = levelOf(risk_score, s.recommend);
  const mitigations = [...profile.mitigations];
  const byName: Partial<Record<RiskFactorName, number>> = Object.fromEntries(
    factors.map((f) => [f.factor, f.score]),
  );
  if ((byName.data_confidence ?? 0) >= 30)
    mitigations.push(
      usage && !usage.memory_measured
        ? "Install the memory agent and collect another week of metrics before acting."
        : "Collect another week of data before acting.",
    );
  if ((byName.performance ?? 0) >= 50)
    mitigations.push("Load-test the target size, or choose the next size up.");
  if (production && profile.disruption !== "none")
    mitigations.push("Make the change in a maintenance window.");
  const effort = c.action === "use_spot" && inGroup(c) ? "medium" : profile.effort; // a group takes a mixed-instances policy
  return {
    recommendation_id: c.recommendation_id,
    risk_score,
    risk_level,
    risk_factors: factors,
    mitigations: [...new Set(mitigations)],
    effort,
    priority: priorityOf(c.estimated_monthly_savings, risk_level, effort, s.recommend),
  };
}
