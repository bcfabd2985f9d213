/**
 * The generated estate, as plain objects: resources with their planted cases,
 * usage streams, anomalies, commitments and one-off lines. lines.ts turns it
 * into line items and metrics, truth.ts into truth.json, so the exports and
 * the truth come from the same objects. Everything derives from the seed.
 */
import { type BillingAccount, type ExportKind, makeAccounts } from "./accounts.ts";
import { plantAnomalies } from "./anomalies.ts";
import type { Provider } from "./catalog.ts";
import { coverWithCommitments } from "./commitments.ts";
import { dayString } from "./numbers.ts";
import { makeOneOffs } from "./one-offs.ts";
import { shapeBuckets } from "./buckets.ts";
import { plantCases } from "./planted-cases.ts";
import { Prng } from "./prng.ts";
import { makeResources } from "./resources.ts";
import { makeStreams } from "./usage.ts";

export interface EstateOptions {
  seed: number;
  resources: number;
  days: number;
  /** Last generated day, YYYY-MM-DD (inclusive). */
  endDate: string;
}

export type ResourceKind = "vm" | "disk" | "snapshot" | "ip" | "bucket";
export type CpuProfile = "idle" | "oversized" | "peaky" | "normal" | "steady" | "business_hours" | "none";

export type CaseKind =
  | "idle_vm"
  | "oversized_vm"
  | "peaky_vm"
  | "previous_generation_vm"
  | "nonprod_24x7"
  | "unattached_disk"
  | "old_snapshot"
  | "unassociated_ip"
  | "gp2_volume"
  /** A VM stopped before the window's end whose disks are still billed (the disks are the finding). */
  | "stopped_vm"
  | "stopped_vm_disk"
  /** A VM in an autoscaling group or tagged as batch: interruption-tolerant, a spot candidate. */
  | "spot_candidate"
  /** An idle VM tagged as protected (cco:skip): a tool must leave it alone. */
  | "protected_vm"
  /** An AWS bucket all in S3 Standard and rarely read: a lifecycle rule to Standard-IA saves. */
  | "cold_bucket"
  /** A bucket read all the time (many GETs per GB): Standard-IA's retrieval fees would cost more. */
  | "hot_bucket"
  /** A rarely read bucket that already keeps part of its data in Standard-IA: it has a rule. */
  | "tiered_bucket";

export interface EstateResource {
  idx: number;
  export: ExportKind;
  provider: Provider;
  billingAccountId: string;
  subAccountId: string;
  subAccountName: string;
  env: "prod" | "dev";
  currency: string;
  kind: ResourceKind;
  resourceId: string;
  resourceName: string;
  region: string;
  zone: string;
  /** VM size, disk type, or storage class. */
  size: string;
  vcpu: number;
  sizeGb: number;
  /** "Hrs" for VMs and IPs (24 a day), "GB-Mo" for storage. */
  unit: "Hrs" | "GB-Mo";
  /** On-demand list price per unit in the billing currency. */
  unitPrice: number;
  profile: CpuProfile;
  memoryAgent: boolean;
  tags: Record<string, string>;
  startDay: number;
  endDay: number;
  /** Commitment covering this VM (from coveredFromDay on), with its discounted hourly rate. */
  commitmentId: string | null;
  commitmentRate: number;
  coveredFromDay: number;
  attachedTo: string | null;
  createdAt: string;
  /** When it runs: around the clock, or only on weekdays 07:00-19:00 (a dev VM already scheduled). */
  schedule: "always" | "business_hours";
  case: CaseKind | null;
  /** An AWS bucket's storage classes and requests (buckets.ts); other buckets bill Standard only. */
  s3?: S3Usage;
}

/** How an AWS bucket bills: the share of its bytes in Standard-IA, and requests a day. */
export interface S3Usage {
  iaShare: number;
  /** Requests-Tier2 (GET) and Requests-Tier1 (PUT, LIST) a day, whole numbers. */
  getsPerDay: number;
  putsPerDay: number;
}

export interface UsageStream {
  export: ExportKind;
  provider: Provider;
  billingAccountId: string;
  subAccountId: string;
  subAccountName: string;
  currency: string;
  service: "egress" | "serverless" | "analytics";
  region: string;
  /** The resource the usage is billed to (a bucket's egress); null for an account's usage. */
  resourceId: string | null;
  unitPrice: number;
  /** Day 0 quantity; grows linearly by `growthPerDay` (fraction of base) and dips on weekends. */
  baseQuantity: number;
  growthPerDay: number;
  weekendFactor: number;
  quantities: number[];
}

/** A planted anomaly: the days a stream's usage was multiplied, and where a detector should find its cause. */
export interface Anomaly {
  id: string;
  /** spike: one day; sustained: several days; resource: one resource's usage. */
  kind: "spike" | "sustained" | "resource";
  description: string;
  /** First and last day, YYYY-MM-DD. */
  start: string;
  end: string;
  days: number;
  provider: Provider;
  billingAccountId: string;
  subAccountId: string;
  currency: string;
  /** The service, region and usage type as the exports spell them; the resource where one is the cause. */
  serviceName: string;
  region: string;
  usageType: string;
  resourceId: string | null;
  stream: UsageStream["service"];
  multiplier: number;
  /** The days' cost of the stream without the anomaly, and with it. */
  expectedCost: string;
  actualCost: string;
}

export interface Commitment {
  id: string;
  provider: Provider;
  export: ExportKind;
  billingAccountId: string;
  subAccountId: string;
  type: "savings_plan" | "reserved_instance" | "reservation" | "committed_use_discount";
  /** Commitment per hour in billing currency (recurring part). */
  hourlyCommitment: number;
  upfront: number;
  termMonths: number;
  /** Share of the commitment its VMs use (the planted underused one is under 80%). */
  utilization: number;
  startDate: string;
  purchaseDay: number | null;
  currency: string;
}

export interface OneOffLine {
  export: ExportKind;
  billingAccountId: string;
  subAccountId: string;
  subAccountName: string;
  day: number;
  kind: "credit" | "refund";
  amount: number;
  currency: string;
  description: string;
}

export interface Estate {
  options: EstateOptions;
  start: string;
  end: string;
  dates: string[];
  accounts: BillingAccount[];
  resources: EstateResource[];
  streams: UsageStream[];
  anomalies: Anomaly[];
  commitments: Commitment[];
  oneOffs: OneOffLine[];
}

/**
 * The steps share one Prng and run in a fixed order: the order of the draws is
 * what makes a seed give the same bytes, so reordering them changes every estate.
 */
export function buildEstate(options: EstateOptions): Estate {
  const rng = new Prng(options.seed);
  const end = options.endDate;
  const start = dayString(end, -(options.days - 1));
  const dates = Array.from({ length: options.days }, (_, i) => dayString(start, i));
  const accounts = makeAccounts(rng);
  const resources = makeResources(rng, accounts, options, start);
  plantCases(rng, resources, options, start);
  // After the cases: commitments cover only VMs that are not planted cases.
  const commitments = coverWithCommitments(rng, accounts, resources, options, start);
  // Dev VMs run office hours only (billed 12 h on weekdays), except the planted ones left on 24x7.
  for (const r of resources)
    if (r.kind === "vm" && r.env === "dev" && r.case === null && r.commitmentId === null)
      r.schedule = "business_hours";
  const streams = makeStreams(rng, accounts, options, dates);
  const anomalies = plantAnomalies(streams, dates, resources, rng, Math.max(1, options.resources / 300));
  const oneOffs = makeOneOffs(accounts, dates);
  // Last, from its own Prng: the buckets' S3 usage leaves every earlier draw as it was.
  shapeBuckets(resources, options, anomalies);
  return { options, start, end, dates, accounts, resources, streams, anomalies, commitments, oneOffs };
}
