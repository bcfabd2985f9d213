import { mkdirSync, readdirSync } from "node:fs";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { expect, it } from "vitest";
import { loadConfig, modelVars } from "../../core/config.ts";
import { buildProject } from "../../core/dbt/runner.ts";
import { Warehouse } from "../../core/warehouse/warehouse.ts";
import { ingestPaths } from "../../ingest/load.ts";
import { generateEstate } from "../../orchestrator/estate-generator/generate.ts";
import { quiet, tempDir } from "../helpers/tmp.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** Every mart's measures per billing period: what an incremental build must get right. */
async function snapshot(w: Warehouse): Promise<Record<string, unknown[]>> {
  const q = (sql: string) => w.all(sql);
  return {
    focus_costs: await q(
      "select x_BillingPeriod p, count(*)::varchar n, sum(BilledCost)::varchar b, sum(EffectiveCost)::varchar e from marts.focus_costs group by 1 order by 1",
    ),
    cost_daily: await q(
      "select billing_period p, count(*)::varchar n, sum(billed_cost)::varchar b, sum(effective_cost)::varchar e from marts.cost_daily group by 1 order by 1",
    ),
    commitments: await q(
      "select billing_period p, count(*)::varchar n, sum(used_cost)::varchar u, sum(unused_cost)::varchar x from marts.commitments group by 1 order by 1",
    ),
    allocation: await q(
      "select billing_period p, count(*)::varchar n, sum(allocated_cost)::varchar a from marts.allocation group by 1 order by 1",
    ),
  };
}

it("an incremental build after a restated month equals a full rebuild, and leaves other months alone", async () => {
  const dir = tempDir();
  const estate = await generateEstate(
    { seed: 3, resources: 60, days: 70, endDate: "2026-10-31" },
    path.join(dir, "estate"),
    quiet,
  );
  const w = await Warehouse.open({ path: ":memory:" });
  const lakeDir = path.join(dir, "lake");
  const vars = modelVars(loadConfig({ cwd: dir, env: {} }));
  const externalRoot = path.join(dir, "marts");
  await ingestPaths(w, [path.join(dir, "estate")], { lakeDir }, quiet);
  await buildProject(w, ROOT, { runModels: true, runTests: false, vars, externalRoot }, quiet);
  const before = await w.all<{ p: string; l: string }>(
    "select x_BillingPeriod p, max(x_LoadId)::varchar l from marts.focus_costs group by 1 order by 1",
  );

  // AWS restates October: the same month delivered again with one line's cost changed.
  const october = estate.files.find((f) => /BILLING_PERIOD=2026-10\/.*\.parquet$/.test(f))!;
  const restated = path.join(dir, "restated", "BILLING_PERIOD=2026-10", path.basename(october));
  mkdirSync(path.dirname(restated), { recursive: true });
  const duck = await DuckDBInstance.create(":memory:");
  const con = await duck.connect();
  await con.run(`COPY (SELECT * REPLACE (CASE WHEN row_number() OVER () = 1 THEN line_item_unblended_cost + 100
      ELSE line_item_unblended_cost END AS line_item_unblended_cost) FROM read_parquet('${october}'))
    TO '${restated}' (FORMAT parquet)`);
  con.closeSync();
  duck.closeSync();
  expect(readdirSync(path.dirname(restated))).toHaveLength(1);
  await ingestPaths(w, [restated], { lakeDir }, quiet);

  const { failed } = await buildProject(
    w,
    ROOT,
    { runModels: true, runTests: true, vars, externalRoot },
    quiet,
  );
  expect(failed).toBe(0);
  const incremental = await snapshot(w);
  const after = await w.all<{ p: string; l: string }>(
    "select x_BillingPeriod p, max(x_LoadId)::varchar l from marts.focus_costs group by 1 order by 1",
  );
  // Only October was rebuilt: the other months still carry the loads they had.
  for (const b of before) {
    const a = after.find((x) => x.p === b.p)!;
    if (b.p === "2026-10") expect(Number(a.l)).toBeGreaterThan(Number(b.l));
    else expect(a.l).toBe(b.l);
  }
  await buildProject(
    w,
    ROOT,
    { runModels: true, runTests: false, fullRefresh: true, vars, externalRoot },
    quiet,
  );
  expect(incremental).toEqual(await snapshot(w));
  await w.close();
}, 300_000);
