import { beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../../../core/config.ts";
import type { Warehouse } from "../../../../core/warehouse/warehouse.ts";
import { advanceSandbox } from "../../../../actions/providers/sandbox/advance.ts";
import { openSandbox, type Sandbox } from "../../../../actions/providers/sandbox/sandbox.ts";
import type { SandboxResource } from "../../../../actions/providers/sandbox/state.ts";
import { ingestStage, modelsStage } from "../../../../orchestrator/stages.ts";
import { quiet } from "../../../helpers/tmp.ts";
import { tinyEstate, withSandbox } from "./fixture.ts";

let warehouse: Warehouse;
let config: Config;
let sandbox: Sandbox;
let stopped: SandboxResource;
let resized: SandboxResource;
let running: SandboxResource;
let deletedDisk: SandboxResource;
let released: SandboxResource | undefined;
let snapshotId: string;

beforeAll(async () => {
  ({ warehouse, config } = await tinyEstate());
  config = withSandbox(config);
  sandbox = await openSandbox(config, warehouse);
  const all = Object.values(sandbox.state().resources);
  const vms = all.filter(
    (r) => r.provider === "aws" && r.kind === "vm" && r.status === "running" && !r.billing.commitmentId,
  );
  [stopped, resized, running] = vms as [SandboxResource, SandboxResource, SandboxResource];
  deletedDisk = all.find((r) => r.provider === "aws" && r.kind === "disk" && r.status === "available")!;
  released = all.find((r) => r.kind === "ip" && r.status === "idle");
  const aws = sandbox.adapter("aws");
  const go = (resourceId: string, operation: Parameters<typeof aws.perform>[0]["operation"], t: string) =>
    aws.perform({ resourceId, operation, idempotencyToken: t });
  await go(stopped.resourceId, { op: "stop_vm" }, "1");
  await go(resized.resourceId, { op: "stop_vm" }, "2");
  await go(
    resized.resourceId,
    { op: "resize_vm", size: resized.size === "t3.medium" ? "t3.large" : "t3.medium" },
    "3",
  );
  await go(resized.resourceId, { op: "start_vm" }, "4");
  snapshotId = (await go(deletedDisk.resourceId, { op: "snapshot_disk", snapshotName: "keep" }, "5")).output!
    .snapshotId!;
  await go(deletedDisk.resourceId, { op: "delete_disk" }, "6");
  if (released)
    await sandbox.adapter(released.provider as "aws").perform({
      resourceId: released.resourceId,
      operation: { op: "release_address" },
      idempotencyToken: "7",
    });
}, 180_000);

async function dayCost(day: string): Promise<Map<string, { cost: number; quantity: number }>> {
  const rows = await warehouse.all<{ resource_id: string; cost: string; quantity: string }>(
    `SELECT resource_id, sum(list_cost)::VARCHAR AS cost, sum(usage_quantity)::VARCHAR AS quantity FROM marts.cost_daily
     WHERE charge_date = DATE '${day}' AND resource_id IS NOT NULL GROUP BY resource_id`,
  );
  return new Map(rows.map((r) => [r.resource_id, { cost: Number(r.cost), quantity: Number(r.quantity) }]));
}

describe("advance", () => {
  it("bills the new day from the sandbox state, in files ingest loads", async () => {
    const result = await advanceSandbox(config, warehouse, { days: 1 });
    expect(result.days).toEqual(["2026-11-01"]);
    expect(result.clock.startsWith("2026-11-02T00:0")).toBe(true);
    const loaded = await ingestStage(warehouse, config, [result.outDir], {}, quiet);
    expect(loaded).toBeTruthy();
    const build = await modelsStage(warehouse, config, { runModels: true, runTests: false }, quiet);
    expect(build.failed).toBe(0);
    const costs = await dayCost("2026-11-01");
    expect(costs.get(stopped.resourceId)).toBeUndefined();
    expect(costs.get(running.resourceId)!.quantity).toBe(24);
    expect(costs.get(running.resourceId)!.cost).toBeCloseTo(24 * Number(running.billing.unitPrice), 6);
    const state = sandbox.state();
    const newPrice = Number(state.resources[resized.resourceId]!.history.at(-1)!.unitPrice);
    expect(newPrice).not.toBe(Number(resized.billing.unitPrice));
    // Stopped for a few minutes just after midnight, then billed at the new size's price.
    const bill = costs.get(resized.resourceId)!;
    expect(bill.cost / bill.quantity).toBeCloseTo(newPrice, 3);
    expect(costs.get(resized.resourceId)!.quantity).toBeGreaterThan(23.9);
    // Deleted a few minutes after midnight: a sliver of a day's GB-months.
    expect(costs.get(deletedDisk.resourceId)?.cost ?? 0).toBeLessThan(0.01);
    const [snapshotRow] = await warehouse.all<{ n: number }>(
      `SELECT count(*)::INTEGER AS n FROM marts.cost_daily WHERE charge_date = DATE '2026-11-01' AND resource_id = '${snapshotId}'`,
    );
    expect(snapshotRow!.n).toBe(1);
    if (released) expect((costs.get(released.resourceId)?.cost ?? 0) < 0.01).toBe(true);
  }, 180_000);

  it("restates the month to date on the next day: the period holds each day once", async () => {
    const result = await advanceSandbox(config, warehouse, { days: 1 });
    expect(result.days).toEqual(["2026-11-02"]);
    await ingestStage(warehouse, config, [result.outDir], {}, quiet);
    const build = await modelsStage(warehouse, config, { runModels: true, runTests: false }, quiet);
    expect(build.failed).toBe(0);
    const rows = await warehouse.all<{ day: string; n: number; cost: string }>(
      `SELECT charge_date::VARCHAR AS day, count(*)::INTEGER AS n, sum(list_cost)::VARCHAR AS cost FROM marts.cost_daily
       WHERE resource_id = '${running.resourceId}' AND charge_date >= DATE '2026-11-01' GROUP BY 1 ORDER BY 1`,
    );
    expect(rows.map((r) => [r.day, r.n])).toEqual([
      ["2026-11-01", 1],
      ["2026-11-02", 1],
    ]);
    const second = await dayCost("2026-11-02");
    expect(second.get(stopped.resourceId)).toBeUndefined();
    expect(second.get(running.resourceId)!.quantity).toBe(24);
    const [metrics] = await warehouse.all<{ n: number }>(
      `SELECT count(*)::INTEGER AS n FROM staging.stg_metrics__hourly WHERE resource_id = '${running.resourceId}'
       AND hour_start >= TIMESTAMPTZ '2026-11-01 00:00:00+00'`,
    );
    expect(metrics!.n).toBe(48);
    const [none] = await warehouse.all<{ n: number }>(
      `SELECT count(*)::INTEGER AS n FROM staging.stg_metrics__hourly WHERE resource_id = '${stopped.resourceId}'
       AND hour_start >= TIMESTAMPTZ '2026-11-01 00:00:00+00'`,
    );
    expect(none!.n).toBe(0);
  }, 180_000);
});
