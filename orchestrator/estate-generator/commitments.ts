/**
 * The commitments the estate already has: an AWS Savings Plan, an AWS
 * partial-upfront RI bought inside the window, an Azure reservation and a GCP
 * CUD. Each covers steady prod VMs that are not planted cases, sized for 95%
 * utilization, except the Azure reservation: bought for more than its VMs use (60%),
 * it is the planted underused commitment a tool must flag for review.
 */
import type { BillingAccount, ExportKind } from "./accounts.ts";
import { COMMITMENT_DISCOUNT, HOURS_PER_MONTH } from "./catalog.ts";
import type { Commitment, EstateOptions, EstateResource } from "./estate.ts";
import { dayString, round } from "./numbers.ts";
import type { Prng } from "./prng.ts";

/** Sized so that 5% of a commitment goes unused: a usual, healthy utilization. */
export const COMMITMENT_UTILIZATION = 0.95;
/** The planted underused commitment's utilization, under any review threshold's default (80%). */
export const UNDERUSED_UTILIZATION = 0.6;
export const TERM_MONTHS = 12;

interface CommitmentPlan {
  exportKind: ExportKind;
  type: Commitment["type"];
  /** Share of the account's eligible VMs it covers (at least one). */
  share: number;
  /** Day in the window it was bought; null: bought 120 days before the window. */
  purchaseDay: number | null;
  /** Share of the term's total paid upfront, the rest hourly. */
  upfrontShare: number;
  /** Share of the commitment its VMs use. */
  utilization: number;
}

function plans(days: number): CommitmentPlan[] {
  return [
    {
      exportKind: "aws_cur2",
      type: "savings_plan",
      share: 0.25,
      purchaseDay: null,
      upfrontShare: 0,
      utilization: COMMITMENT_UTILIZATION,
    },
    {
      exportKind: "aws_cur2",
      type: "reserved_instance",
      share: 0.05,
      purchaseDay: Math.min(10, days - 1),
      upfrontShare: 0.5,
      utilization: COMMITMENT_UTILIZATION,
    },
    {
      exportKind: "azure_mca",
      type: "reservation",
      share: 0.2,
      purchaseDay: null,
      upfrontShare: 0,
      utilization: UNDERUSED_UTILIZATION,
    },
    {
      exportKind: "gcp_bq",
      type: "committed_use_discount",
      share: 0.2,
      purchaseDay: null,
      upfrontShare: 0,
      utilization: COMMITMENT_UTILIZATION,
    },
  ];
}

/**
 * Creates the commitments and marks the VMs they cover (id, discounted rate,
 * first covered day). Call after planting cases: it takes only VMs without one.
 */
export function coverWithCommitments(
  rng: Prng,
  accounts: BillingAccount[],
  resources: EstateResource[],
  options: EstateOptions,
  start: string,
): Commitment[] {
  const commitments: Commitment[] = [];
  for (const p of plans(options.days)) {
    const account = accounts.find((a) => a.export === p.exportKind)!;
    const pool = resources.filter(
      (r) =>
        r.export === p.exportKind &&
        r.kind === "vm" &&
        r.case === null &&
        r.commitmentId === null &&
        r.env === "prod" &&
        r.startDay === 0 &&
        r.endDay === options.days - 1,
    );
    const covered = pool.slice(0, Math.max(1, Math.floor(pool.length * p.share)));
    if (!covered.length) continue;
    const discount = COMMITMENT_DISCOUNT[account.provider];
    const id = commitmentId(account, p.type, rng);
    let hourly = 0;
    for (const r of covered) {
      r.commitmentId = id;
      r.commitmentRate = round(r.unitPrice * (1 - discount), 6);
      r.coveredFromDay = p.purchaseDay ?? 0;
      r.profile = "steady";
      hourly += r.commitmentRate;
    }
    const total = round(hourly / p.utilization, 6);
    const upfront = round(total * p.upfrontShare * HOURS_PER_MONTH * TERM_MONTHS, 2);
    commitments.push({
      id,
      provider: account.provider,
      export: account.export,
      billingAccountId: account.id,
      subAccountId: covered[0]!.subAccountId,
      type: p.type,
      hourlyCommitment: round(total * (1 - p.upfrontShare), 6),
      upfront,
      termMonths: TERM_MONTHS,
      utilization: p.utilization,
      startDate: p.purchaseDay === null ? dayString(start, -120) : dayString(start, p.purchaseDay),
      purchaseDay: p.purchaseDay,
      currency: account.currency,
    });
  }
  return commitments;
}

/** The id each provider gives the commitment: an ARN, a reservation path, a CUD resource name. */
function commitmentId(account: BillingAccount, type: Commitment["type"], rng: Prng): string {
  switch (type) {
    case "savings_plan":
      return `arn:aws:savingsplans::${account.id}:savingsplan/${rng.uuid()}`;
    case "reserved_instance":
      return `arn:aws:ec2:us-east-1:${account.id}:reserved-instances/${rng.uuid()}`;
    case "reservation": {
      // The commitment is the reservation order; the writer derives its one reservation's id.
      const order = rng.uuid();
      rng.uuid(); // kept: one draw per id part, so the rest of the estate stays as it was
      return `/providers/Microsoft.Capacity/reservationOrders/${order}`;
    }
    default:
      return `projects/${account.subAccounts[0]!.id}/regions/us-central1/commitments/cud-${rng.hex(8)}`;
  }
}
