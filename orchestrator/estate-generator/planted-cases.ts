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
  { kind: "oversized_vm", share: 0.03, eligible: canShrink, plant: () => ({ profile: "oversized" }) },
  // Low average with rare high peaks: a tool that rightsizes on the average is wrong here.
  { kind: "peaky_vm", share: 0.02, eligible: canShrink, plant: () => ({ profile: "peaky" }) },
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
    kind: "commitment_candidate",
    share: 0.04,
    // OCI has no commitment discount in the catalog, so nothing to recommend there.
    eligible: (r) => isVm(r) && r.env === "prod" && r.provider !== "oci",
    plant: () => ({ profile: "steady" }),
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
    plant: (_r, rng, start) => ({ createdAt: dayString(start, -rng.int(200, 400)) }),
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
];

/** Assign planted cases to whole-window resources of the right kind, in place. */
export function plantCases(
  rng: Prng,
  resources: EstateResource[],
  options: EstateOptions,
  start: string,
): void {
  const free = (eligible: CasePlan["eligible"]) =>
    resources.filter(
      (r) => r.case === null && r.startDay === 0 && r.endDay === options.days - 1 && eligible(r),
    );
  for (const plan of CASE_PLANS) {
    const count = Math.max(1, Math.round(options.resources * plan.share));
    // All picks first, then the changes: the Prng draws happen in that order.
    for (const r of take(rng, free(plan.eligible), count)) {
      Object.assign(r, { case: plan.kind, ...plan.plant(r, rng, start) });
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
