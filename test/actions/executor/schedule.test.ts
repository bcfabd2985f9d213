import { afterEach, describe, expect, it } from "vitest";
import type { RunSummary } from "../../../actions/executor/run.ts";
import { startExecutorSchedule } from "../../../actions/executor/schedule.ts";
import type { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { FakeCloud, noSleep, vm, world } from "./fixture.ts";

let open: Warehouse | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

describe("the executor's schedule", () => {
  it("runs on its cron in its time zone, recorded as triggered by the schedule", async () => {
    const { warehouse, config } = await world(
      [],
      'actions:\n  schedule: {cron: "* * * * * *", timezone: Asia/Tokyo}\n',
    );
    open = warehouse;
    const runs: RunSummary[] = [];
    const schedule = await startExecutorSchedule(warehouse, config, {
      adapters: { aws: new FakeCloud({ "i-1": vm("i-1") }) },
      sleep: noSleep,
      onRun: (s) => runs.push(s),
    });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await schedule.stop();
    expect(runs.length).toBeGreaterThanOrEqual(1);
    const rows = await warehouse.all<{ triggered_by: string; mode: string }>(
      "select triggered_by, mode from ops.action_runs",
    );
    expect(rows[0]).toEqual({ triggered_by: "schedule", mode: "dry_run" });
  });

  it("refuses a bad cron expression as a config error naming the key", async () => {
    const { warehouse, config } = await world([], 'actions:\n  schedule: {cron: "every night at two"}\n');
    open = warehouse;
    await expect(startExecutorSchedule(warehouse, config)).rejects.toThrow(
      /actions\.schedule\.cron: every night at two is not a cron expression/,
    );
  });
});
