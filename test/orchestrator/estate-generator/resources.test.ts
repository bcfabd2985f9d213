import { describe, expect, it } from "vitest";
import { makeAccounts } from "../../../orchestrator/estate-generator/accounts.ts";
import { Prng } from "../../../orchestrator/estate-generator/prng.ts";
import { makeResources } from "../../../orchestrator/estate-generator/resources.ts";

const options = { seed: 1, resources: 2000, days: 30, endDate: "2026-01-31" };
const rng = new Prng(options.seed);
const accounts = makeAccounts(rng);
const resources = makeResources(rng, accounts, options, "2026-01-02");

describe("resources", () => {
  it("number exactly the requested count, spread over the accounts by share", () => {
    expect(resources).toHaveLength(options.resources);
    expect(resources.map((r) => r.idx)).toEqual(resources.map((_, i) => i));
    for (const a of accounts) {
      const held = resources.filter((r) => r.billingAccountId === a.id).length;
      expect(held).toBeGreaterThanOrEqual(Math.floor(options.resources * a.share));
    }
  });

  it("have unique ids: every export, metric and finding joins on them", () => {
    expect(new Set(resources.map((r) => r.resourceId)).size).toBe(resources.length);
  });

  it("attach disks to a VM of the same account and give them the VM's lifetime", () => {
    const vms = new Map(resources.filter((r) => r.kind === "vm").map((r) => [r.resourceId, r]));
    const disks = resources.filter((r) => r.kind === "disk");
    expect(disks.length).toBeGreaterThan(0);
    for (const d of disks) {
      if (d.attachedTo === null) {
        // Only a disk drawn before its account's first VM has nothing to attach to.
        const earlierVm = resources.find(
          (r) => r.kind === "vm" && r.billingAccountId === d.billingAccountId && r.idx < d.idx,
        );
        expect(earlierVm, d.resourceId).toBeUndefined();
        continue;
      }
      const vm = vms.get(d.attachedTo)!;
      expect(vm, d.resourceId).toBeDefined();
      expect([d.billingAccountId, d.startDay, d.endDay]).toEqual([
        vm.billingAccountId,
        vm.startDay,
        vm.endDay,
      ]);
    }
  });

  it("live inside the window, most of them through all of it", () => {
    for (const r of resources) {
      expect(r.startDay).toBeGreaterThanOrEqual(0);
      expect(r.endDay).toBeLessThanOrEqual(options.days - 1);
      expect(r.startDay).toBeLessThanOrEqual(r.endDay);
    }
    const whole = resources.filter((r) => r.startDay === 0 && r.endDay === options.days - 1).length;
    expect(whole / resources.length).toBeGreaterThan(0.8);
  });
});
