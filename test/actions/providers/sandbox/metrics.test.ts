import { beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../../../core/config.ts";
import type { Warehouse } from "../../../../core/warehouse/warehouse.ts";
import type { CloudAdapter } from "../../../../actions/providers/adapter.ts";
import { advanceSandbox } from "../../../../actions/providers/sandbox/advance.ts";
import { openSandbox } from "../../../../actions/providers/sandbox/sandbox.ts";
import type { SandboxResource } from "../../../../actions/providers/sandbox/state.ts";
import { tinyEstate, withSandbox } from "./fixture.ts";

let warehouse: Warehouse;
let config: Config;
const start = new Date("2026-11-01T00:00:00Z");

beforeAll(async () => {
  ({ warehouse, config } = await tinyEstate());
}, 120_000);

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** A running AWS m6i VM that has a smaller size of half the vCPUs in its family. */
function halvable(resources: SandboxResource[]): { vm: SandboxResource; half: string } {
  const halves: Record<string, string> = {
    "m6i.xlarge": "m6i.large",
    "m6i.2xlarge": "m6i.xlarge",
    "m6i.4xlarge": "m6i.2xlarge",
    "c6i.2xlarge": "c6i.xlarge",
    "r6i.xlarge": "r6i.large",
  };
  const vm = resources.find(
    (r) =>
      r.provider === "aws" &&
      r.kind === "vm" &&
      r.status === "running" &&
      halves[r.size] &&
      !r.tags.user_cco_skip,
  )!;
  return { vm, half: halves[vm.size]! };
}

async function dayOfCpu(
  settings: Record<string, unknown>,
  change?: (aws: CloudAdapter, vm: SandboxResource, half: string) => Promise<void>,
) {
  const cfg = withSandbox(config, settings);
  const sandbox = await openSandbox(cfg, warehouse);
  const { vm, half } = halvable(Object.values(sandbox.state().resources));
  const aws = sandbox.adapter("aws");
  if (change) await change(aws, vm, half);
  await advanceSandbox(cfg, warehouse, { days: 2 });
  return { vm, samples: await aws.metrics(vm.resourceId, start), aws };
}

describe("sandbox metrics", () => {
  it("replays the VM's profile, the same for a seed, only for whole hours up to the clock", async () => {
    const a = await dayOfCpu({});
    const b = await dayOfCpu({});
    expect(a.samples).toHaveLength(48);
    expect(a.samples).toEqual(b.samples);
    expect(a.samples[0]!.hour).toBe("2026-11-01T00:00:00.000Z");
    expect(a.samples.every((s) => s.cpuPct > 0 && s.cpuPct <= 100)).toBe(true);
    const [row] = await warehouse.all<{ cpu: number }>(
      `SELECT avg(cpu_avg_pct) AS cpu FROM staging.stg_metrics__hourly WHERE resource_id = '${a.vm.resourceId}'
       AND hour_start > TIMESTAMPTZ '2026-10-18 00:00:00+00'`,
    );
    expect(mean(a.samples.map((s) => s.cpuPct))).toBeGreaterThan(row!.cpu * 0.6);
    expect(mean(a.samples.map((s) => s.cpuPct))).toBeLessThan(row!.cpu * 1.4);
  });

  it("roughly doubles CPU on half the vCPUs, and reports nothing while stopped", async () => {
    const base = await dayOfCpu({});
    const halved = await dayOfCpu({}, async (aws, vm, half) => {
      await aws.perform({ resourceId: vm.resourceId, operation: { op: "stop_vm" }, idempotencyToken: "s" });
      await aws.perform({
        resourceId: vm.resourceId,
        operation: { op: "resize_vm", size: half },
        idempotencyToken: "r",
      });
      await aws.perform({ resourceId: vm.resourceId, operation: { op: "start_vm" }, idempotencyToken: "g" });
    });
    // The first hour is lost to the stop; compare the hours both report.
    const after = new Map(halved.samples.map((s) => [s.hour, s.cpuPct]));
    const pairs = base.samples.filter((s) => after.has(s.hour)).map((s) => after.get(s.hour)! / s.cpuPct);
    expect(pairs.length).toBeGreaterThanOrEqual(46);
    expect(mean(pairs)).toBeGreaterThan(1.9);
    expect(mean(pairs)).toBeLessThan(2.1);
    const stopped = await dayOfCpu({}, async (aws, vm) => {
      await aws.perform({ resourceId: vm.resourceId, operation: { op: "stop_vm" }, idempotencyToken: "s" });
    });
    expect(stopped.samples).toEqual([]);
  });

  it("a load surge multiplies the workload and saturates at 100%", async () => {
    const probe = await dayOfCpu({});
    const surged = await dayOfCpu({
      load_surges: [{ resource_id: probe.vm.resourceId, factor: 50, from: "2026-11-02T00:00:00Z" }],
    });
    const first = surged.samples.filter((s) => s.hour < "2026-11-02");
    const second = surged.samples.filter((s) => s.hour >= "2026-11-02");
    expect(first).toEqual(probe.samples.filter((s) => s.hour < "2026-11-02"));
    expect(second.every((s) => s.cpuPct === 100)).toBe(true);
  });
});
