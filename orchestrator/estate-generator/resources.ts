/**
 * The estate's resources before any case is planted: VMs, disks, snapshots,
 * public IPs and buckets spread over the billing accounts by their share, each
 * with a list price from the catalog, tags, and a lifetime inside the window.
 *
 * Every value is drawn from the one seeded Prng in a fixed order: adding,
 * removing or reordering a draw changes every resource after it.
 */
import type { BillingAccount, SubAccount } from "./accounts.ts";
import { STORAGE, VM_SIZES } from "./catalog.ts";
import type { EstateOptions, EstateResource, ResourceKind } from "./estate.ts";
import { dayString } from "./numbers.ts";
import type { Prng } from "./prng.ts";
import { resourceId, zoneOf } from "./resource-ids.ts";

const TEAMS = ["payments", "search", "data", "platform", "web"];

export function makeResources(
  rng: Prng,
  accounts: BillingAccount[],
  options: EstateOptions,
  start: string,
): EstateResource[] {
  const resources: EstateResource[] = [];
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
      resources.push(r);
    }
    // Every disk is attached to a VM of its account and lives as long as it does (unattached
    // disks are planted cases only, so truth.json lists every one).
    for (const r of resources.filter((x) => x.billingAccountId === account.id && x.kind === "disk")) {
      if (!vms.length) break;
      const vm = vms[rng.int(0, vms.length - 1)]!;
      r.attachedTo = vm.resourceId;
      r.startDay = vm.startDay;
      r.endDay = vm.endDay;
    }
  });
  return resources;
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
    schedule: "always",
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
      // Memory metrics need an agent: always on the other clouds, on a minority of EC2.
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
      // Recent snapshots: created within the 30 days before the window, and never more than 150
      // days before its end (old snapshots are planted cases only); billed from their creation.
      const created = Math.max(-rng.int(0, 30), days - 150);
      base.createdAt = dayString(start, created);
      base.startDay = Math.max(base.startDay, created);
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
