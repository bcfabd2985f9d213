/**
 * The idle-VM rule at its thresholds, on hand-built marts: a VM exactly at a limit is not idle
 * (the rule is "under"), one just below is; too few days observed, or a day outside the
 * lookback window, decide as configured.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Config, loadConfig } from "../../../core/config.ts";
import { createProgress } from "../../../core/log.ts";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { recommend } from "../../../ml/recommend.ts";
import { tempDir } from "../../helpers/tmp.ts";

const quiet = createProgress({ quiet: true });
const LAST = "2026-10-31";
let w: Warehouse;
let config: Config;

/** One VM's days of utilization (newest last, ending LAST) and 14 days of cost at 1.00 an hour. */
interface Vm {
  id: string;
  days: number;
  cpuP95: number;
  networkMib: number;
  state?: string;
}

async function marts(vms: Vm[]): Promise<void> {
  await w.run(`CREATE OR REPLACE TABLE marts.resources (resource_id VARCHAR, provider VARCHAR, billing_account_id VARCHAR,
    sub_account_id VARCHAR, resource_type VARCHAR, sku VARCHAR, state VARCHAR)`);
  await w.run(`CREATE OR REPLACE TABLE marts.utilization_daily (resource_id VARCHAR, usage_date DATE,
    cpu_p95_pct DOUBLE, cpu_max_pct DOUBLE, network_in_bytes DOUBLE, network_out_bytes DOUBLE)`);
  await w.run(`CREATE OR REPLACE TABLE marts.cost_daily (resource_id VARCHAR, resource_type VARCHAR, charge_category VARCHAR,
    charge_date DATE, currency VARCHAR, effective_cost DECIMAL(38,10), list_cost DECIMAL(38,10))`);
  for (const vm of vms) {
    await w.run(
      "INSERT INTO marts.resources VALUES ($1, 'aws', '111', '222', 'virtual_machine', 'm5.large', $2)",
      [vm.id, vm.state ?? "active"],
    );
    await w.run(
      `INSERT INTO marts.utilization_daily SELECT $1::VARCHAR, DATE '${LAST}' - i::INTEGER, $2::DOUBLE, $2::DOUBLE + 1, $3::DOUBLE * 1048576 / 2, $3::DOUBLE * 1048576 / 2
       FROM range($4::BIGINT) t(i)`,
      [vm.id, vm.cpuP95, vm.networkMib, vm.days],
    );
    await w.run(
      `INSERT INTO marts.cost_daily SELECT $1::VARCHAR, 'virtual_machine', 'Usage', DATE '${LAST}' - i::INTEGER, 'USD', 24, 48 FROM range(14) t(i)`,
      [vm.id],
    );
  }
}

async function recommended(): Promise<string[]> {
  await recommend(w, config, quiet);
  const rows = await w.all<{ id: string }>(
    "SELECT resource_id AS id FROM marts.recommendations WHERE detector = 'idle_vm' ORDER BY 1",
  );
  return rows.map((r) => r.id);
}

beforeEach(async () => {
  w = await Warehouse.open({ path: ":memory:" });
  config = loadConfig({ env: {}, cwd: tempDir() });
});
afterEach(async () => {
  await w.close();
});

describe("idle VMs", () => {
  it("are under the CPU and network limits, not at them (defaults: p95 CPU < 5%, < 50 MiB a day)", async () => {
    expect(config.recommend.idleVm).toMatchObject({
      cpuP95MaxPct: 5,
      networkMibPerDayMax: 50,
      minDaysObserved: 7,
    });
    await marts([
      { id: "i-cpu-below", days: 14, cpuP95: 4.99, networkMib: 10 },
      { id: "i-cpu-at", days: 14, cpuP95: 5, networkMib: 10 },
      { id: "i-net-below", days: 14, cpuP95: 1, networkMib: 49.9 },
      { id: "i-net-at", days: 14, cpuP95: 1, networkMib: 50 },
      { id: "i-stopped", days: 14, cpuP95: 1, networkMib: 1, state: "gone" },
    ]);
    expect(await recommended()).toEqual(["i-cpu-below", "i-net-below"]);
  });

  it("need the minimum days observed inside the lookback window", async () => {
    await marts([
      { id: "i-seven-days", days: 7, cpuP95: 1, networkMib: 1 },
      { id: "i-six-days", days: 6, cpuP95: 1, networkMib: 1 },
    ]);
    expect(await recommended()).toEqual(["i-seven-days"]);
  });

  it("are judged on every day of the window: one busy day inside it keeps a VM, one before it does not", async () => {
    await marts([
      { id: "i-busy-inside", days: 14, cpuP95: 1, networkMib: 1 },
      { id: "i-busy-before", days: 20, cpuP95: 1, networkMib: 1 },
    ]);
    // Day 13 before LAST is the window's first day (14 days); day 14 before it is outside.
    await w.run(
      `UPDATE marts.utilization_daily SET cpu_p95_pct = 80 WHERE resource_id = 'i-busy-inside' AND usage_date = DATE '${LAST}' - 13`,
    );
    await w.run(
      `UPDATE marts.utilization_daily SET cpu_p95_pct = 80 WHERE resource_id = 'i-busy-before' AND usage_date = DATE '${LAST}' - 14`,
    );
    expect(await recommended()).toEqual(["i-busy-before"]);
  });

  it("save the VM's whole run rate at its own effective rate and at list, over a 730-hour month", async () => {
    await marts([{ id: "i-idle", days: 14, cpuP95: 1, networkMib: 1 }]);
    await recommended();
    const [row] = await w.all<{ s: string; l: string }>(
      "SELECT estimated_monthly_savings::VARCHAR AS s, estimated_monthly_savings_at_list::VARCHAR AS l FROM marts.recommendations",
    );
    // 24 a day is 1.00 an hour effective, 2.00 at list.
    expect(row).toEqual({ s: "730.00", l: "1460.00" });
  });

  it("follow the configured thresholds", async () => {
    config = {
      ...config,
      recommend: { idleVm: { ...config.recommend.idleVm, cpuP95MaxPct: 10, minDaysObserved: 3 } },
    };
    await marts([
      { id: "i-nine-pct", days: 3, cpuP95: 9, networkMib: 1 },
      { id: "i-ten-pct", days: 14, cpuP95: 10, networkMib: 1 },
    ]);
    expect(await recommended()).toEqual(["i-nine-pct"]);
  });
});
