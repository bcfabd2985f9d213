/** Recommendation ids are stable: the same finding keeps its id across runs, so decisions keep pointing at it. */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config.ts";
import { createProgress } from "../../core/log.ts";
import { litList } from "../../core/sql.ts";
import { Warehouse } from "../../core/warehouse/warehouse.ts";
import { recommend } from "../../ml/recommend.ts";
import { tempDir } from "../helpers/tmp.ts";

const quiet = createProgress({ quiet: true });

async function idleFleet(w: Warehouse, vms: string[], cost: number): Promise<void> {
  await w.run(
    `CREATE OR REPLACE TABLE marts.resources AS SELECT id AS resource_id, 'aws' AS provider, '111' AS billing_account_id,
    '222' AS sub_account_id, 'virtual_machine' AS resource_type, 'm5.large' AS sku, 'active' AS state FROM unnest([${litList(vms)}]) t(id)`,
  );
  await w.run(`CREATE OR REPLACE TABLE marts.utilization_daily AS SELECT resource_id, DATE '2026-10-31' - i::INTEGER AS usage_date,
    1.0 AS cpu_p95_pct, 2.0 AS cpu_max_pct, 1000.0 AS network_in_bytes, 1000.0 AS network_out_bytes
    FROM marts.resources, range(14) t(i)`);
  await w.run(`CREATE OR REPLACE TABLE marts.cost_daily AS SELECT resource_id, 'virtual_machine' AS resource_type, 'Usage' AS charge_category,
    DATE '2026-10-31' - i::INTEGER AS charge_date, 'USD' AS currency, ${cost}::DECIMAL(38,10) AS effective_cost, ${cost}::DECIMAL(38,10) AS list_cost
    FROM marts.resources, range(14) t(i)`);
}

const ids = async (w: Warehouse) =>
  Object.fromEntries(
    (
      await w.all<{ r: string; id: string }>(
        "SELECT resource_id AS r, recommendation_id AS id FROM marts.recommendations",
      )
    ).map((x) => [x.r, x.id]),
  );

describe("recommendation ids", () => {
  it("stay the same across runs, and when the savings or the rest of the fleet change", async () => {
    const w = await Warehouse.open({ path: ":memory:" });
    const config = loadConfig({ env: {}, cwd: tempDir() });
    await idleFleet(w, ["i-a", "i-b"], 24);
    await recommend(w, config, quiet);
    const first = await ids(w);
    expect(Object.keys(first).sort()).toEqual(["i-a", "i-b"]);
    await recommend(w, config, quiet);
    expect(await ids(w)).toEqual(first);
    await idleFleet(w, ["i-a", "i-c"], 30);
    await recommend(w, config, quiet);
    const third = await ids(w);
    expect(third["i-a"]).toBe(first["i-a"]);
    expect(third["i-c"]).toBeDefined();
    expect(new Set(Object.values(third)).size).toBe(2);
    await w.close();
  });
});
