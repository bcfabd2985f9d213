import { describe, expect, it } from "vitest";
import { oneSizeDown, vmSize } from "../../../orchestrator/estate-generator/catalog.ts";
import { buildEstate, type EstateResource } from "../../../orchestrator/estate-generator/estate.ts";
import { dayString } from "../../../orchestrator/estate-generator/numbers.ts";
import { CASE_PLANS } from "../../../orchestrator/estate-generator/planted-cases.ts";
import { buildTruth } from "../../../orchestrator/estate-generator/truth.ts";

const options = { seed: 42, resources: 1000, days: 60, endDate: "2026-05-31" };
const estate = buildEstate(options);
const truth = buildTruth(estate);
const planted = estate.resources.filter((r) => r.case !== null);
const byId = new Map(estate.resources.map((r) => [r.resourceId, r]));

/** The signal each case's finding rests on, checked on the resource itself. */
const SIGNAL: Record<string, (r: EstateResource) => boolean> = {
  idle_vm: (r) => r.kind === "vm" && r.profile === "idle",
  oversized_vm: (r) => r.profile === "oversized" && oneSizeDown(r.provider, r.size) !== undefined,
  peaky_vm: (r) => r.profile === "peaky",
  previous_generation_vm: (r) => vmSize(r.provider, r.size).previousGeneration === true,
  nonprod_24x7: (r) => r.env === "dev" && r.tags.env === "dev" && r.profile === "business_hours",
  spot_candidate: (r) =>
    r.kind === "vm" && (r.tags["aws:autoscaling:groupName"] !== undefined || r.tags.workload === "batch"),
  protected_vm: (r) => r.kind === "vm" && r.profile === "idle" && r.tags["cco:skip"] === "true",
  stopped_vm: (r) => r.kind === "vm" && r.endDay === options.days - 22,
  stopped_vm_disk: (r) => r.kind === "disk" && byId.get(r.attachedTo!)?.case === "stopped_vm",
  unattached_disk: (r) => r.kind === "disk" && r.attachedTo === null,
  old_snapshot: (r) => r.kind === "snapshot" && r.createdAt <= dayString(estate.start, -200),
  unassociated_ip: (r) => r.kind === "ip" && r.attachedTo === null,
  gp2_volume: (r) => r.provider === "aws" && r.size === "gp2" && r.attachedTo !== null,
  // Under the detector's 10 GETs per GB-month, all in Standard; hot: far over it; tiered: IA already.
  cold_bucket: (r) => r.provider === "aws" && r.s3!.iaShare === 0 && getsPerGbMonth(r) < 10,
  hot_bucket: (r) => r.provider === "aws" && r.s3!.iaShare === 0 && getsPerGbMonth(r) > 1000,
  tiered_bucket: (r) => r.provider === "aws" && r.s3!.iaShare > 0 && getsPerGbMonth(r) < 10,
};

function getsPerGbMonth(r: EstateResource): number {
  return (r.s3!.getsPerDay * 730) / 24 / r.sizeGb;
}

describe("planted cases", () => {
  it("plant each case on its share of the estate, spread over the providers that can have it", () => {
    for (const plan of CASE_PLANS) {
      const cases = planted.filter((r) => r.case === plan.kind);
      expect(cases, plan.kind).toHaveLength(Math.round(options.resources * plan.share));
      if (plan.kind.endsWith("_vm") || plan.kind === "unattached_disk") {
        expect(new Set(cases.map((r) => r.provider)), plan.kind).toEqual(
          new Set(["aws", "azure", "gcp", "oci"]),
        );
      }
    }
  });

  it("give every planted resource the signal its finding needs, for the whole window", () => {
    for (const r of planted) {
      expect(SIGNAL[r.case!]!(r), `${r.case} ${r.resourceId}`).toBe(true);
      // A stopped VM's billing ends three weeks early: that is its signal.
      if (r.case !== "stopped_vm") expect([r.startDay, r.endDay]).toEqual([0, options.days - 1]);
    }
    // Resources that are not cases do not carry a case's signal by accident.
    const others = estate.resources.filter((r) => r.case === null);
    expect(
      others.filter((r) => ["idle", "oversized", "peaky", "business_hours"].includes(r.profile)),
    ).toEqual([]);
    expect(others.filter((r) => r.kind === "ip" && r.attachedTo === null)).toEqual([]);
    expect(others.filter((r) => r.size === "gp2")).toEqual([]);
    expect(others.filter((r) => r.kind === "disk" && r.attachedTo === null)).toEqual([]);
    expect(others.filter((r) => r.kind === "snapshot" && r.createdAt < dayString(estate.end, -150))).toEqual(
      [],
    );
    // Dev VMs not planted run office hours only: a 24x7 dev VM is always a planted case.
    expect(
      others.filter((r) => r.kind === "vm" && r.env === "dev" && r.schedule === "always" && !r.commitmentId),
    ).toEqual([]);
    expect(others.filter((r) => r.tags["cco:skip"] || r.tags.workload === "batch")).toEqual([]);
    // Every other AWS bucket is read far more than a cold one; other clouds' buckets bill Standard only.
    const otherBuckets = others.filter((r) => r.kind === "bucket");
    expect(otherBuckets.filter((r) => r.provider === "aws" && getsPerGbMonth(r) < 30)).toEqual([]);
    expect(otherBuckets.filter((r) => (r.provider === "aws") !== (r.s3 !== undefined))).toEqual([]);
  });

  it("plant cold, hot and tiered AWS buckets, in both AWS exports", () => {
    const kinds = ["cold_bucket", "hot_bucket", "tiered_bucket"];
    expect(kinds.map((k) => planted.filter((r) => r.case === k).length)).toEqual([10, 1, 1]);
    const cold = planted.filter((r) => r.case === "cold_bucket");
    expect(new Set(cold.map((r) => r.export))).toEqual(new Set(["aws_cur2", "aws_cur_legacy"]));
    for (const c of truth.cases.filter((c) => kinds.includes(c.case))) {
      if (c.case === "cold_bucket") {
        expect(c.expected_finding).toEqual({
          category: "storage",
          action: "add_lifecycle_rule",
          target: "lifecycle: STANDARD_IA after 30 days",
        });
        // Most of the Standard to Standard-IA difference (0.0105 a GB-month) survives the fees.
        const r = byId.get(c.resource_id)!;
        expect(Number(c.expected_monthly_savings)).toBeGreaterThan(r.sizeGb * 0.0105 * 0.9);
        expect(Number(c.expected_monthly_savings)).toBeLessThan(r.sizeGb * 0.0105);
      } else expect([c.expected_finding, c.must_not]).toEqual([null, "bucket_lifecycle"]);
    }
  });

  it("match truth.json one to one, with findings that follow from the signal", () => {
    // A planted dev VM of another case left on 24x7, tagged dev, is also a schedule case (a second row).
    const alsoScheduled = planted.filter(
      (r) =>
        r.kind === "vm" &&
        r.tags.env === "dev" &&
        r.schedule === "always" &&
        ["oversized_vm", "previous_generation_vm", "spot_candidate"].includes(r.case!),
    );
    expect(truth.cases.map((c) => `${c.resource_id} ${c.case}`).sort()).toEqual(
      [
        ...planted.filter((r) => r.case !== "stopped_vm").map((r) => `${r.resourceId} ${r.case}`),
        ...alsoScheduled.map((r) => `${r.resourceId} nonprod_24x7`),
      ].sort(),
    );
    for (const c of truth.cases) {
      const r = byId.get(c.resource_id)!;
      expect(c.case === r.case || (c.case === "nonprod_24x7" && alsoScheduled.includes(r))).toBe(true);
      expect(c.currency).toBe(r.currency);
      if (c.case === "oversized_vm")
        expect(c.expected_finding?.target).toBe(oneSizeDown(r.provider, r.size)!.name);
      if (c.case === "previous_generation_vm") {
        expect(c.expected_finding?.target).toBe(vmSize(r.provider, r.size).modernEquivalent);
      }
      if (c.case === "gp2_volume") expect(c.current).toBe(`gp2 ${r.sizeGb} GB`);
    }
  });

  it("never put a planted case under an existing commitment", () => {
    expect(planted.filter((r) => r.commitmentId !== null)).toEqual([]);
  });
});
