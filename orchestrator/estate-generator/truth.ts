/**
 * truth.json: every planted case with the finding a good tool must make and the
 * monthly savings it should estimate (730-hour month, on-demand list price, in the
 * account's billing currency), plus the anomalies, commitments and one-off lines.
 */
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
  anomalies: Estate["anomalies"];
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

export function buildTruth(estate: Estate): Truth {
  const cases = estate.resources.filter((r) => r.case !== null).map(caseOf);
  return {
    generator: "cco generate",
    seed: estate.options.seed,
    resources: estate.resources.length,
    days: estate.options.days,
    start: estate.start,
    end: estate.end,
    hours_per_month: HOURS_PER_MONTH,
    cases,
    anomalies: estate.anomalies,
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
      mustNot = "rightsizing";
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
    case "commitment_candidate":
      finding = { category: "commitment", action: "purchase_commitment", target: "1 year, no upfront" };
      savings = monthly * COMMITMENT_DISCOUNT[r.provider];
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
