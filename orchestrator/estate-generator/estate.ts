/**
 * The generated estate: resources with their planted cases, usage streams with
 * growth, weekly seasonality and anomalies, commitments, and the one-off lines
 * (tax, credits, refunds, purchases). Everything derives from the seed, and
 * truth.json is written from the same objects the exports are made from.
 */
import { makeAccounts, type BillingAccount, type ExportKind, type SubAccount } from "./accounts.ts";
import {
  AWS_GP2_PER_GB_MONTH,
  COMMITMENT_DISCOUNT,
  HOURS_PER_MONTH,
  oneSizeDown,
  type Provider,
  STORAGE,
  VM_SIZES,
} from "./catalog.ts";
import { Prng } from "./prng.ts";

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
  | "commitment_candidate"
  | "unattached_disk"
  | "old_snapshot"
  | "unassociated_ip"
  | "gp2_volume";

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
  case: CaseKind | null;
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
  unitPrice: number;
  /** Day 0 quantity; grows linearly by `growthPerDay` (fraction of base) and dips on weekends. */
  baseQuantity: number;
  growthPerDay: number;
  weekendFactor: number;
  quantities: number[];
}

export interface Anomaly {
  date: string;
  provider: Provider;
  billingAccountId: string;
  subAccountId: string;
  service: UsageStream["service"];
  multiplier: number;
  expectedCost: string;
  baselineCost: string;
  currency: string;
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

const CASE_SHARES: [CaseKind, number][] = [
  ["idle_vm", 0.03],
  ["oversized_vm", 0.03],
  ["peaky_vm", 0.02],
  ["previous_generation_vm", 0.02],
  ["nonprod_24x7", 0.03],
  ["commitment_candidate", 0.04],
  ["unattached_disk", 0.02],
  ["old_snapshot", 0.02],
  ["unassociated_ip", 0.015],
  ["gp2_volume", 0.02],
];

const TEAMS = ["payments", "search", "data", "platform", "web"];

export function dayString(start: string, offset: number): string {
  const d = new Date(`${start}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + offset);
  return d.toISOString().slice(0, 10);
}

export function buildEstate(options: EstateOptions): Estate {
  const rng = new Prng(options.seed);
  const end = options.endDate;
  const start = dayString(end, -(options.days - 1));
  const dates = Array.from({ length: options.days }, (_, i) => dayString(start, i));
  const accounts = makeAccounts(rng);
  const resources: EstateResource[] = [];
  const commitments: Commitment[] = [];

  // Resource counts per billing account, by share; the remainder goes to the first.
  const counts = accounts.map((a) => Math.max(4, Math.floor(options.resources * a.share)));
  counts[0]! += Math.max(0, options.resources - counts.reduce((s, c) => s + c, 0));

  accounts.forEach((account, ai) => {
    const total = counts[ai]!;
    const vms: EstateResource[] = [];
    for (let i = 0; i < total; i++) {
      const sub = account.subAccounts[i % account.subAccounts.length]!;
      const roll = rng.next();
      const kind: ResourceKind =
        roll < 0.6 ? "vm" : roll < 0.82 ? "disk" : roll < 0.9 ? "snapshot" : roll < 0.94 ? "ip" : "bucket";
      const r = makeResource(rng, account, sub, kind, resources.length, options.days, start);
      if (kind === "vm") vms.push(r);
      if (kind === "disk" && vms.length) {
        const vm = vms[rng.int(0, vms.length - 1)]!;
        r.attachedTo = vm.resourceId;
        r.startDay = vm.startDay;
        r.endDay = vm.endDay;
      }
      resources.push(r);
    }
  });

  plantCases(rng, resources, options);
  coverWithCommitments(rng, accounts, resources, commitments, options, start);

  const streams = makeStreams(rng, accounts, options);
  const anomalies = plantAnomalies(streams, dates);
  const oneOffs = makeOneOffs(accounts, dates);
  return { options, start, end, dates, accounts, resources, streams, anomalies, commitments, oneOffs };
}

function makeResource(
  rng: Prng,
  account: BillingAccount,
  sub: SubAccount,
  kind: ResourceKind,
  idx: number,
  days: number,
  start: string,
): EstateResource {
  const provider = account.provider;
  const region = rng.pick(account.regions);
  const zone = zoneOf(provider, region, rng);
  const team = rng.pick(TEAMS);
  const name = `${sub.env}-${team}-${kind}-${idx}`;
  // Most resources live through the whole window; some start or stop inside it.
  const lifecycle = rng.next();
  const startDay = lifecycle < 0.08 ? rng.int(1, Math.max(1, Math.floor(days / 2))) : 0;
  const endDay = lifecycle > 0.95 ? rng.int(Math.floor(days / 2), days - 2) : days - 1;
  const base: EstateResource = {
    idx,
    export: account.export,
    provider,
    billingAccountId: account.id,
    subAccountId: sub.id,
    subAccountName: sub.name,
    env: sub.env,
    currency: account.currency,
    kind,
    resourceId: "",
    resourceName: name,
    region,
    zone,
    size: "",
    vcpu: 0,
    sizeGb: 0,
    unit: kind === "vm" || kind === "ip" ? "Hrs" : "GB-Mo",
    unitPrice: 0,
    profile: "none",
    memoryAgent: false,
    tags: { env: sub.env, team, "cost-center": `CC-${100 + TEAMS.indexOf(team)}` },
    startDay,
    endDay,
    commitmentId: null,
    commitmentRate: 0,
    coveredFromDay: 0,
    attachedTo: null,
    createdAt: dayString(start, startDay),
    case: null,
  };
  // A tenth of resources carry no tags at all: untagged spend is a real finding.
  if (rng.next() < 0.1) base.tags = {};
  const storage = STORAGE[provider];
  switch (kind) {
    case "vm": {
      const sizes = VM_SIZES[provider].filter((s) => !s.previousGeneration);
      const size = rng.pick(sizes);
      base.size = size.name;
      base.vcpu = size.vcpu;
      base.unitPrice = size.hourly;
      base.profile = rng.next() < 0.7 ? "normal" : "steady";
      base.memoryAgent = provider !== "aws" || rng.next() < 0.3;
      break;
    }
    case "disk":
      base.size = storage.disk.type;
      base.sizeGb = rng.pick([32, 64, 100, 128, 256, 512]);
      base.unitPrice = storage.disk.perGbMonth;
      break;
    case "snapshot": {
      base.size = "snapshot";
      base.sizeGb = rng.pick([20, 50, 100, 200]);
      base.unitPrice = storage.snapshotPerGbMonth;
      // Recent snapshots: created within the last 30 days before the window.
      base.createdAt = dayString(start, -rng.int(0, 30));
      break;
    }
    case "ip":
      base.size = "public-ipv4";
      base.unitPrice = storage.ipHourly;
      base.attachedTo = "in-use";
      break;
    case "bucket":
      base.size = "standard";
      base.sizeGb = rng.pick([500, 1000, 2500, 8000]);
      base.unitPrice = storage.objectPerGbMonth;
      break;
  }
  base.resourceId = resourceId(provider, kind, sub, base, rng);
  return base;
}

function zoneOf(provider: Provider, region: string, rng: Prng): string {
  if (provider === "aws") return `${region}${rng.pick(["a", "b", "c"])}`;
  if (provider === "gcp") return `${region}-${rng.pick(["a", "b", "c"])}`;
  if (provider === "azure") return rng.pick(["1", "2", "3"]);
  return `${region}-AD-1`;
}

function resourceId(
  provider: Provider,
  kind: ResourceKind,
  sub: SubAccount,
  r: EstateResource,
  rng: Prng,
): string {
  const name = r.resourceName;
  if (provider === "aws") {
    const prefix = { vm: "i-0", disk: "vol-0", snapshot: "snap-0", ip: "eipalloc-0", bucket: "" }[kind];
    if (kind === "bucket") return `acme-${name}-${rng.hex(6)}`;
    if (kind === "snapshot") return `arn:aws:ec2:${r.region}::snapshot/${prefix}${rng.hex(16)}`;
    return `${prefix}${rng.hex(16)}`;
  }
  if (provider === "azure") {
    const rg = `rg-${r.tags.team ?? "shared"}-${sub.env}`;
    const type = {
      vm: "Microsoft.Compute/virtualMachines",
      disk: "Microsoft.Compute/disks",
      snapshot: "Microsoft.Compute/snapshots",
      ip: "Microsoft.Network/publicIPAddresses",
      bucket: "Microsoft.Storage/storageAccounts",
    }[kind];
    const leaf = kind === "bucket" ? `acme${rng.hex(10)}` : name;
    return `/subscriptions/${sub.id}/resourceGroups/${rg}/providers/${type}/${leaf}`;
  }
  if (provider === "gcp") {
    const path = {
      vm: `projects/${sub.id}/zones/${r.zone}/instances/${name}`,
      disk: `projects/${sub.id}/zones/${r.zone}/disks/${name}`,
      snapshot: `projects/${sub.id}/global/snapshots/${name}`,
      ip: `projects/${sub.id}/regions/${r.region}/addresses/${name}`,
      bucket: `projects/_/buckets/acme-${name}`,
    }[kind];
    return `//${kind === "bucket" ? "storage" : "compute"}.googleapis.com/${path}`;
  }
  const ocid = { vm: "instance", disk: "volume", snapshot: "volumebackup", ip: "publicip", bucket: "bucket" }[
    kind
  ];
  return `ocid1.${ocid}.oc1.iad.aaaaaaaa${rng.hex(40)}`;
}

/** Assign planted cases to whole-window resources of the right kind. */
function plantCases(rng: Prng, resources: EstateResource[], options: EstateOptions): void {
  const n = (share: number) => Math.max(1, Math.round(options.resources * share));
  const free = (pred: (r: EstateResource) => boolean) =>
    resources.filter((r) => r.case === null && r.startDay === 0 && r.endDay === options.days - 1 && pred(r));
  const take = (pool: EstateResource[], count: number) => {
    const chosen: EstateResource[] = [];
    // Spread over providers: round-robin through the pool grouped by provider.
    const byProvider = new Map<string, EstateResource[]>();
    for (const r of pool) byProvider.set(r.provider, [...(byProvider.get(r.provider) ?? []), r]);
    const groups = [...byProvider.values()];
    while (chosen.length < count && groups.some((g) => g.length)) {
      for (const g of groups) {
        if (chosen.length >= count) break;
        const item = g.splice(rng.int(0, g.length - 1), 1)[0];
        if (item) chosen.push(item);
      }
    }
    return chosen;
  };
  for (const [kind, share] of CASE_SHARES) {
    const count = n(share);
    switch (kind) {
      case "idle_vm":
        for (const r of take(
          free((r) => r.kind === "vm"),
          count,
        ))
          Object.assign(r, { case: kind, profile: "idle" });
        break;
      case "oversized_vm":
        for (const r of take(
          free((r) => r.kind === "vm" && oneSizeDown(r.provider, r.size) !== undefined),
          count,
        ))
          Object.assign(r, { case: kind, profile: "oversized" });
        break;
      case "peaky_vm":
        for (const r of take(
          free((r) => r.kind === "vm" && oneSizeDown(r.provider, r.size) !== undefined),
          count,
        ))
          Object.assign(r, { case: kind, profile: "peaky" });
        break;
      case "previous_generation_vm":
        for (const r of take(
          free((r) => r.kind === "vm"),
          count,
        )) {
          const old = rng.pick(VM_SIZES[r.provider].filter((s) => s.previousGeneration));
          Object.assign(r, {
            case: kind,
            profile: "normal",
            size: old.name,
            vcpu: old.vcpu,
            unitPrice: old.hourly,
          });
        }
        break;
      case "nonprod_24x7":
        for (const r of take(
          free((r) => r.kind === "vm" && r.env === "dev"),
          count,
        ))
          Object.assign(r, { case: kind, profile: "business_hours", tags: { ...r.tags, env: "dev" } });
        break;
      case "commitment_candidate":
        for (const r of take(
          free((r) => r.kind === "vm" && r.env === "prod" && r.provider !== "oci"),
          count,
        ))
          Object.assign(r, { case: kind, profile: "steady" });
        break;
      case "unattached_disk":
        for (const r of take(
          free((r) => r.kind === "disk"),
          count,
        ))
          Object.assign(r, { case: kind, attachedTo: null });
        break;
      case "old_snapshot":
        for (const r of take(
          free((r) => r.kind === "snapshot"),
          count,
        ))
          Object.assign(r, {
            case: kind,
            createdAt: dayString(dayString(options.endDate, -(options.days - 1)), -rng.int(200, 400)),
          });
        break;
      case "unassociated_ip":
        for (const r of take(
          free((r) => r.kind === "ip"),
          count,
        ))
          Object.assign(r, { case: kind, attachedTo: null });
        break;
      case "gp2_volume":
        for (const r of take(
          free((r) => r.kind === "disk" && r.provider === "aws" && r.attachedTo !== null),
          count,
        ))
          Object.assign(r, { case: kind, size: "gp2", unitPrice: AWS_GP2_PER_GB_MONTH });
        break;
    }
  }
}

/**
 * Existing commitments: an AWS Savings Plan over some steady prod VMs, an AWS
 * partial-upfront RI bought inside the window, an Azure reservation and a GCP CUD.
 * Each covers VMs that are not planted cases, at ~95% utilization.
 */
function coverWithCommitments(
  rng: Prng,
  accounts: BillingAccount[],
  resources: EstateResource[],
  commitments: Commitment[],
  options: EstateOptions,
  start: string,
): void {
  const plan: {
    exportKind: ExportKind;
    type: Commitment["type"];
    share: number;
    purchaseDay: number | null;
    upfrontShare: number;
  }[] = [
    { exportKind: "aws_cur2", type: "savings_plan", share: 0.25, purchaseDay: null, upfrontShare: 0 },
    {
      exportKind: "aws_cur2",
      type: "reserved_instance",
      share: 0.05,
      purchaseDay: Math.min(10, options.days - 1),
      upfrontShare: 0.5,
    },
    { exportKind: "azure_mca", type: "reservation", share: 0.2, purchaseDay: null, upfrontShare: 0 },
    { exportKind: "gcp_bq", type: "committed_use_discount", share: 0.2, purchaseDay: null, upfrontShare: 0 },
  ];
  for (const p of plan) {
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
    // Sized at 95% utilization: 5% of the commitment goes unused.
    const total = round(hourly / 0.95, 6);
    const termMonths = 12;
    const upfront = round(total * p.upfrontShare * HOURS_PER_MONTH * termMonths, 2);
    commitments.push({
      id,
      provider: account.provider,
      export: account.export,
      billingAccountId: account.id,
      subAccountId: covered[0]!.subAccountId,
      type: p.type,
      hourlyCommitment: round(total * (1 - p.upfrontShare), 6),
      upfront,
      termMonths,
      startDate: p.purchaseDay === null ? dayString(start, -120) : dayString(start, p.purchaseDay),
      purchaseDay: p.purchaseDay,
      currency: account.currency,
    });
  }
}

function commitmentId(account: BillingAccount, type: Commitment["type"], rng: Prng): string {
  switch (type) {
    case "savings_plan":
      return `arn:aws:savingsplans::${account.id}:savingsplan/${rng.uuid()}`;
    case "reserved_instance":
      return `arn:aws:ec2:us-east-1:${account.id}:reserved-instances/${rng.uuid()}`;
    case "reservation":
      return `/providers/Microsoft.Capacity/reservationOrders/${rng.uuid()}/reservations/${rng.uuid()}`;
    default:
      return `projects/${account.subAccounts[0]!.id}/regions/us-central1/commitments/cud-${rng.hex(8)}`;
  }
}

function makeStreams(rng: Prng, accounts: BillingAccount[], options: EstateOptions): UsageStream[] {
  const streams: UsageStream[] = [];
  const scale = Math.max(1, options.resources / 300);
  for (const account of accounts) {
    for (const sub of account.subAccounts) {
      const services: UsageStream["service"][] =
        account.provider === "gcp" ? ["egress", "analytics"] : ["egress", "serverless"];
      for (const service of services) {
        const unitPrice =
          service === "egress" ? STORAGE[account.provider].egressPerGb : service === "analytics" ? 6.25 : 0.2;
        const base =
          (service === "egress" ? 400 : service === "analytics" ? 3 : 150) *
          scale *
          (sub.env === "prod" ? 1 : 0.3);
        const growth = round(0.002 + rng.next() * 0.004, 6);
        const weekend = round(0.55 + rng.next() * 0.2, 4);
        const quantities = Array.from({ length: options.days }, (_, day) => {
          const weekday = new Date(
            `${dayString(options.endDate, day - (options.days - 1))}T00:00:00Z`,
          ).getUTCDay();
          const seasonal = weekday === 0 || weekday === 6 ? weekend : 1;
          const noise = 1 + (rng.next() - 0.5) * 0.06;
          return round(base * (1 + growth * day) * seasonal * noise, 6);
        });
        streams.push({
          export: account.export,
          provider: account.provider,
          billingAccountId: account.id,
          subAccountId: sub.id,
          subAccountName: sub.name,
          currency: account.currency,
          service,
          region: account.regions[0]!,
          unitPrice,
          baseQuantity: round(base, 6),
          growthPerDay: growth,
          weekendFactor: weekend,
          quantities,
        });
      }
    }
  }
  return streams;
}

/** Cost anomalies on known dates: one stream's usage multiplied for one day. */
function plantAnomalies(streams: UsageStream[], dates: string[]): Anomaly[] {
  const picks: {
    exportKind: ExportKind;
    service: UsageStream["service"];
    daysBeforeEnd: number;
    multiplier: number;
  }[] = [
    { exportKind: "aws_cur2", service: "egress", daysBeforeEnd: 20, multiplier: 6 },
    { exportKind: "gcp_bq", service: "analytics", daysBeforeEnd: 45, multiplier: 8 },
    { exportKind: "azure_mca", service: "serverless", daysBeforeEnd: 70, multiplier: 5 },
  ];
  const anomalies: Anomaly[] = [];
  for (const p of picks) {
    const day = dates.length - 1 - p.daysBeforeEnd;
    const stream = streams.find((s) => s.export === p.exportKind && s.service === p.service);
    if (!stream || day < 14) continue;
    const baseline = stream.quantities[day]!;
    stream.quantities[day] = round(baseline * p.multiplier, 6);
    anomalies.push({
      date: dates[day]!,
      provider: stream.provider,
      billingAccountId: stream.billingAccountId,
      subAccountId: stream.subAccountId,
      service: stream.service,
      multiplier: p.multiplier,
      baselineCost: money(baseline * stream.unitPrice),
      expectedCost: money(stream.quantities[day]! * stream.unitPrice),
      currency: stream.currency,
    });
  }
  return anomalies;
}

/** Promotional credits each month and one refund, on AWS and Azure. */
function makeOneOffs(accounts: BillingAccount[], dates: string[]): OneOffLine[] {
  const lines: OneOffLine[] = [];
  const aws = accounts.find((a) => a.export === "aws_cur2")!;
  const azure = accounts.find((a) => a.export === "azure_mca")!;
  dates.forEach((date, day) => {
    if (date.endsWith("-01")) {
      lines.push({
        export: aws.export,
        billingAccountId: aws.id,
        subAccountId: aws.subAccounts[1]!.id,
        subAccountName: aws.subAccounts[1]!.name,
        day,
        kind: "credit",
        amount: -100,
        currency: aws.currency,
        description: "AWS Activate promotional credit",
      });
    }
  });
  const refundDay = Math.floor(dates.length / 2);
  lines.push({
    export: aws.export,
    billingAccountId: aws.id,
    subAccountId: aws.subAccounts[1]!.id,
    subAccountName: aws.subAccounts[1]!.name,
    day: refundDay,
    kind: "refund",
    amount: -42.5,
    currency: aws.currency,
    description: "Refund for service disruption",
  });
  lines.push({
    export: azure.export,
    billingAccountId: azure.id,
    subAccountId: azure.subAccounts[0]!.id,
    subAccountName: azure.subAccounts[0]!.name,
    day: refundDay,
    kind: "refund",
    amount: -17.25,
    currency: azure.currency,
    description: "Refund",
  });
  return lines;
}

export function round(value: number, places: number): number {
  const f = 10 ** places;
  return Math.round(value * f) / f;
}

export function money(value: number): string {
  return round(value, 2).toFixed(2);
}
