/**
 * truth.json: every planted case with the finding a good tool must make and the
 * monthly savings it should estimate (730-hour month, on-demand list price, in the
 * account's billing currency), plus the anomalies, commitments and one-off lines.
 */
import { LIFECYCLE_TARGET, lifecycleSavings } from "./buckets.ts";
import { COMMITMENT_DISCOUNT, HOURS_PER_MONTH, oneSizeDown, STORAGE, vmSize } from "./catalog.ts";
import type { CaseKind, Estate, EstateResource } from "./estate.ts";
import { money } from "./numbers.ts";

export interface TruthCase {
  case: CaseKind;
  provider: string;
  billing_account_id: string;
  sub_account_id: string;
  resource_id: string;
  resource_kind: string;
  current: string;
  /** What a correct tool recommends; null when the right answer is "leave it alone". */
  expected_finding: { category: string; action: string; target: string | null } | null;
  /** A finding a correct tool must NOT make for this resource. */
  must_not?: string;
  expected_monthly_savings: string;
  currency: string;
}

export interface Truth {
  generator: string;
  seed: number;
  resources: number;
  days: number;
  start: string;
  end: string;
  hours_per_month: number;
  cases: TruthCase[];
  /** The commitment a correct tool proposes per billing account (see commitmentPurchases). */
  commitment_purchases: CommitmentPurchase[];
  anomalies: TruthAnomaly[];
  commitments: Estate["commitments"];
  one_off_lines: Estate["oneOffs"];
  trend: {
    provider: string;
    sub_account_id: string;
    service: string;
    growth_per_day: number;
    weekend_factor: number;
  }[];
  currencies: string[];
}

/**
 * A planted anomaly as a detector should report it: its days, the stream's cost without and
 * with it, and its root cause in the ids and names the exports carry (Azure ids compare in
 * lower case). `scope` is the service it shows in most plainly; it also shows in every scope
 * holding its root cause (provider, billing account, account, region, total) where it is large
 * enough there.
 */
export interface TruthAnomaly {
  id: string;
  kind: "spike" | "sustained" | "resource";
  description: string;
  start_date: string;
  end_date: string;
  days: number;
  currency: string;
  scope: { scope_type: "service"; provider: string; service_name: string };
  /** The usage cost of the affected stream over the days: without the anomaly, and billed. */
  expected_cost: string;
  actual_cost: string;
  multiplier: number;
  root_cause: {
    provider: string;
    billing_account_id: string;
    sub_account_id: string;
    service_name: string;
    region: string;
    usage_type: string;
    /** The resource behind it, where one is (null for an account's usage stream). */
    resource_id: string | null;
  };
}

export interface CommitmentPurchase {
  provider: string;
  billing_account_id: string;
  currency: string;
  lookback_days: number;
  /** The steady baseline: the lowest day's on-demand VM cost in the lookback, per hour. */
  hourly_commitment: string;
  expected_monthly_savings: string;
}

/** Days of on-demand usage a commitment purchase is sized from (the detector's default). */
export const COMMITMENT_LOOKBACK_DAYS = 30;

/**
 * Per billing account with a commitment discount, the purchase a correct tool proposes: commit
 * to the hourly spend every day of the lookback had on on-demand VMs (the lowest day's cost /
 * 24), saving the provider's discount on it. Scheduled VMs' weekend days bring the lowest day
 * down to what runs around the clock, as they should.
 */
export function commitmentPurchases(estate: Estate): CommitmentPurchase[] {
  const days = estate.options.days;
  const first = Math.max(0, days - COMMITMENT_LOOKBACK_DAYS);
  const weekday = (d: number) => {
    const dow = new Date(`${estate.dates[d]}T00:00:00Z`).getUTCDay();
    return dow >= 1 && dow <= 5;
  };
  return estate.accounts
    .filter((a) => COMMITMENT_DISCOUNT[a.provider] > 0)
    .map((a) => {
      let lowest = Number.POSITIVE_INFINITY;
      for (let d = first; d < days; d++) {
        let cost = 0;
        for (const r of estate.resources) {
          if (r.billingAccountId !== a.id || r.kind !== "vm" || d < r.startDay || d > r.endDay) continue;
          if (r.commitmentId !== null && d >= r.coveredFromDay) continue;
          const hours = r.schedule === "business_hours" ? (weekday(d) ? 12 : 0) : 24;
          cost += r.unitPrice * hours;
        }
        lowest = Math.min(lowest, cost);
      }
      const hourly = lowest / 24;
      return {
        provider: a.provider,
        billing_account_id: a.id,
        currency: a.currency,
        lookback_days: Math.min(days, COMMITMENT_LOOKBACK_DAYS),
        hourly_commitment: money(hourly),
        expected_monthly_savings: money(hourly * HOURS_PER_MONTH * COMMITMENT_DISCOUNT[a.provider]),
      };
    })
    .filter((p) => Number(p.hourly_commitment) > 0);
}

/** Spot capacity's discount on on-demand where the billing shows none (the detector's fallback). */
export const SPOT_DISCOUNT = 0.6;

export function buildTruth(estate: Estate): Truth {
  // A stopped VM is no finding of its own: its still-billed disks are.
  const cases = estate.resources.filter((r) => r.case !== null && r.case !== "stopped_vm").map(caseOf);
  cases.push(...estate.resources.filter(alsoRunsAroundTheClock).map(scheduleCaseOf));
  return {
    generator: "cco generate",
    seed: estate.options.seed,
    resources: estate.resources.length,
    days: estate.options.days,
    start: estate.start,
    end: estate.end,
    hours_per_month: HOURS_PER_MONTH,
    cases,
    commitment_purchases: commitmentPurchases(estate),
    anomalies: estate.anomalies.map(truthAnomaly),
    commitments: estate.commitments,
    one_off_lines: estate.oneOffs,
    trend: estate.streams.map((s) => ({
      provider: s.provider,
      sub_account_id: s.subAccountId,
      service: s.service,
      growth_per_day: s.growthPerDay,
      weekend_factor: s.weekendFactor,
    })),
    currencies: [...new Set(estate.accounts.map((a) => a.currency))].sort(),
  };
}

/**
 * A planted dev VM of another case (oversized, previous generation, spot) is left running 24x7,
 * so where its env tag says dev it is also a non-production VM around the clock: a correct tool
 * proposes its schedule too.
 * (Idle ones are to be stopped instead; stopped ones are not running.)
 */
const SCHEDULE_TOO: (CaseKind | null)[] = ["oversized_vm", "previous_generation_vm", "spot_candidate"];
function alsoRunsAroundTheClock(r: EstateResource): boolean {
  // The env tag is the signal: an untagged dev VM looks like any other.
  return (
    r.kind === "vm" &&
    r.tags.env === "dev" &&
    r.schedule !== "business_hours" &&
    SCHEDULE_TOO.includes(r.case)
  );
}

function scheduleCaseOf(r: EstateResource): TruthCase {
  return { ...caseOf({ ...r, case: "nonprod_24x7" }), case: "nonprod_24x7" };
}

function caseOf(r: EstateResource): TruthCase {
  const monthly = r.unit === "Hrs" ? r.unitPrice * HOURS_PER_MONTH : r.unitPrice * r.sizeGb;
  let finding: TruthCase["expected_finding"] = null;
  let savings = 0;
  let mustNot: string | undefined;
  switch (r.case!) {
    case "idle_vm":
      finding = { category: "deactivation", action: "stop_instance", target: null };
      savings = monthly;
      break;
    case "oversized_vm": {
      const down = oneSizeDown(r.provider, r.size)!;
      finding = { category: "rightsizing", action: "resize_instance", target: down.name };
      savings = (r.unitPrice - down.hourly) * HOURS_PER_MONTH;
      break;
    }
    case "peaky_vm":
      // Its daily peak needs every vCPU: no rightsizing, and (prod, busy every day) nothing else.
      mustNot = "any";
      break;
    case "previous_generation_vm": {
      const modern = vmSize(r.provider, vmSize(r.provider, r.size).modernEquivalent!);
      finding = { category: "modernization", action: "change_instance_family", target: modern.name };
      savings = (r.unitPrice - modern.hourly) * HOURS_PER_MONTH;
      break;
    }
    case "nonprod_24x7":
      // Business hours only: 12 h x 5 weekdays = 60 of 168 hours a week.
      finding = { category: "schedule", action: "schedule_instance", target: "weekdays 07:00-19:00" };
      savings = monthly * (1 - 60 / 168);
      break;
    case "spot_candidate":
      finding = { category: "modernization", action: "use_spot", target: "spot" };
      savings = monthly * SPOT_DISCOUNT;
      break;
    case "protected_vm":
      // Idle, but tagged cco:skip: nothing may be recommended for it.
      mustNot = "any";
      break;
    case "stopped_vm_disk":
      finding = { category: "storage", action: "snapshot_and_delete_volume", target: null };
      savings = monthly;
      break;
    case "unattached_disk":
      finding = { category: "deactivation", action: "delete_volume", target: null };
      savings = monthly;
      break;
    case "old_snapshot":
      finding = { category: "storage", action: "delete_snapshot", target: null };
      savings = monthly;
      break;
    case "unassociated_ip":
      finding = { category: "deactivation", action: "release_address", target: null };
      savings = monthly;
      break;
    case "gp2_volume":
      finding = { category: "modernization", action: "modify_volume_type", target: "gp3" };
      savings = r.sizeGb * (r.unitPrice - STORAGE.aws.disk.perGbMonth);
      break;
    case "cold_bucket":
      finding = { category: "storage", action: "add_lifecycle_rule", target: LIFECYCLE_TARGET };
      savings = lifecycleSavings(r);
      break;
    case "hot_bucket":
      // Read all the time: Standard-IA's GET and retrieval fees would cost more than it saves.
      mustNot = "bucket_lifecycle";
      break;
    case "tiered_bucket":
      // Part of it is in Standard-IA already: a lifecycle rule is there.
      mustNot = "bucket_lifecycle";
      break;
  }
  return {
    case: r.case!,
    provider: r.provider,
    billing_account_id: r.billingAccountId,
    sub_account_id: r.subAccountId,
    resource_id: r.resourceId,
    resource_kind: r.kind,
    current: r.kind === "vm" ? r.size : `${r.size}${r.sizeGb ? ` ${r.sizeGb} GB` : ""}`,
    expected_finding: finding,
    ...(mustNot ? { must_not: mustNot } : {}),
    expected_monthly_savings: money(savings),
    currency: r.currency,
  };
}

function truthAnomaly(a: Estate["anomalies"][number]): TruthAnomaly {
  return {
    id: a.id,
    kind: a.kind,
    description: a.description,
    start_date: a.start,
    end_date: a.end,
    days: a.days,
    currency: a.currency,
    scope: { scope_type: "service", provider: a.provider, service_name: a.serviceName },
    expected_cost: a.expectedCost,
    actual_cost: a.actualCost,
    multiplier: a.multiplier,
    root_cause: {
      provider: a.provider,
      billing_account_id: a.billingAccountId,
      sub_account_id: a.subAccountId,
      service_name: a.serviceName,
      region: a.region,
      usage_type: a.usageType,
      resource_id: a.resourceId,
    },
  };
}
