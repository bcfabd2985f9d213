/**
 * The planted cases: resources given exactly the signal a finding needs (an
 * idle CPU profile, a previous-generation size, no attachment, ...), so
 * truth.json can say what a correct tool must find. Only resources that live
 * through the whole window are used, so the signal is never cut short.
 */
import { AWS_GP2_PER_GB_MONTH, oneSizeDown, VM_SIZES } from "./catalog.ts";
import type { CaseKind, EstateOptions, EstateResource } from "./estate.ts";
import { dayString } from "./numbers.ts";
import type { Prng } from "./prng.ts";

interface CasePlan {
  kind: CaseKind;
  /** Share of the estate's resource count (at least one of each). */
  share: number;
  eligible: (r: EstateResource) => boolean;
  /** What planting changes on a chosen resource besides its case. */
  plant: (r: EstateResource, rng: Prng, start: string) => Partial<EstateResource>;
}

const isVm = (r: EstateResource) => r.kind === "vm";
/** Rightsizing needs a smaller size in the same family to recommend. */
const canShrink = (r: EstateResource) => isVm(r) && oneSizeDown(r.provider, r.size) !== undefined;

// Planted in this order; each draws from the resources earlier cases left free.
export const CASE_PLANS: CasePlan[] = [
  { kind: "idle_vm", share: 0.03, eligible: isVm, plant: () => ({ profile: "idle" }) },
  // Measured memory (an agent): a smaller size is proposed only where memory shows it fits.
  {
    kind: "oversized_vm",
    share: 0.03,
    eligible: canShrink,
    plant: () => ({ profile: "oversized", memoryAgent: true }),
  },
  // Low average with rare high peaks: a tool that rightsizes on the average is wrong here. In
  // production, so no schedule applies either: nothing may be recommended for it.
  {
    kind: "peaky_vm",
    share: 0.02,
    eligible: (r) => canShrink(r) && r.env === "prod",
    plant: () => ({ profile: "peaky" }),
  },
  {
    kind: "previous_generation_vm",
    share: 0.02,
    eligible: isVm,
    plant: (r, rng) => {
      const old = rng.pick(VM_SIZES[r.provider].filter((s) => s.previousGeneration));
      return { profile: "normal", size: old.name, vcpu: old.vcpu, unitPrice: old.hourly };
    },
  },
  {
    kind: "nonprod_24x7",
    share: 0.03,
    eligible: (r) => isVm(r) && r.env === "dev",
    // The env tag is what marks it non-prod, so even an untagged one gets it.
    plant: (r) => ({ profile: "business_hours", tags: { ...r.tags, env: "dev" } }),
  },
  {
    kind: "unattached_disk",
    share: 0.02,
    eligible: (r) => r.kind === "disk",
    plant: () => ({ attachedTo: null }),
  },
  {
    kind: "old_snapshot",
    share: 0.02,
    eligible: (r) => r.kind === "snapshot",
    // Taken long before the window, so billed from its first day.
    plant: (_r, rng, start) => ({ createdAt: dayString(start, -rng.int(200, 400)), startDay: 0 }),
  },
  {
    kind: "unassociated_ip",
    share: 0.015,
    eligible: (r) => r.kind === "ip",
    plant: () => ({ attachedTo: null }),
  },
  {
    kind: "gp2_volume",
    share: 0.02,
    eligible: (r) => r.kind === "disk" && r.provider === "aws" && r.attachedTo !== null,
    plant: () => ({ size: "gp2", unitPrice: AWS_GP2_PER_GB_MONTH }),
  },
  {
    kind: "spot_candidate",
    share: 0.015,
    // What marks a workload interruption-tolerant in real estates: an autoscaling group, a batch tag.
    eligible: (r) => isVm(r) && r.env === "prod" && r.provider !== "oci",
    plant: (r) => ({
      profile: "normal",
      tags:
        r.provider === "aws"
          ? { ...r.tags, "aws:autoscaling:groupName": `batch-workers-${r.idx}` }
          : { ...r.tags, workload: "batch" },
    }),
  },
  {
    kind: "protected_vm",
    share: 0.01,
    // Idle, so a careless tool would stop it; the protection tag says leave it alone.
    eligible: isVm,
    plant: (r) => ({ profile: "idle", tags: { ...r.tags, "cco:skip": "true" } }),
  },
];

/** Assign planted cases to whole-window resources of the right kind, in place. */
export function plantCases(
  rng: Prng,
  resources: EstateResource[],
  options: EstateOptions,
  start: string,
): void {
  // Snapshots start when they are taken; the others must live through the whole window.
  const free = (eligible: CasePlan["eligible"]) =>
    resources.filter(
      (r) =>
        r.case === null &&
        (r.startDay === 0 || r.kind === "snapshot") &&
        r.endDay === options.days - 1 &&
        eligible(r),
    );
  for (const plan of CASE_PLANS) {
    const count = Math.max(1, Math.round(options.resources * plan.share));
    // All picks first, then the changes: the Prng draws happen in that order.
    for (const r of take(rng, free(plan.eligible), count)) {
      Object.assign(r, { case: plan.kind, ...plan.plant(r, rng, start) });
    }
  }
  plantStoppedVms(rng, resources, options, free);
}

/**
 * VMs stopped three weeks before the window's end whose disks are still billed: the disks are
 * the finding (snapshot them, then delete). A VM is chosen only with at least one attached disk.
 */
function plantStoppedVms(
  rng: Prng,
  resources: EstateResource[],
  options: EstateOptions,
  free: (eligible: CasePlan["eligible"]) => EstateResource[],
): void {
  if (options.days < 30) return;
  const disksOf = (vm: EstateResource) =>
    resources.filter((d) => d.kind === "disk" && d.attachedTo === vm.resourceId);
  const vms = free((r) => isVm(r) && disksOf(r).every((d) => d.case === null) && disksOf(r).length > 0);
  const count = Math.max(1, Math.round(options.resources * 0.01));
  for (const vm of take(rng, vms, count)) {
    vm.case = "stopped_vm";
    vm.endDay = options.days - 22;
    for (const disk of disksOf(vm)) {
      disk.case = "stopped_vm_disk";
      disk.endDay = options.days - 1;
    }
  }
}

/** Up to `count` random resources, round-robin over providers so every cloud gets its cases. */
function take(rng: Prng, pool: EstateResource[], count: number): EstateResource[] {
  const chosen: EstateResource[] = [];
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
}
