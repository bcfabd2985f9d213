import { mkdirSync, readdirSync, renameSync } from "node:fs";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { expect, it } from "vitest";
import { loadConfig, modelVars } from "../../core/config.ts";
import { externalFiles } from "../../core/dbt/materializations/external.ts";
import { buildProject } from "../../core/dbt/runner.ts";
import { Warehouse } from "../../core/warehouse/warehouse.ts";
import { ingestPaths } from "../../ingest/load.ts";
import { generateEstate } from "../../orchestrator/estate-generator/generate.ts";
import { quiet, tempDir } from "../helpers/tmp.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** An estate generated up to 31 October and ingested into a new warehouse, with what a build needs. */
async function ingestedEstate(seed: number, resources: number, days: number) {
  const dir = tempDir();
  const estate = await generateEstate(
    { seed, resources, days, endDate: "2026-10-31" },
    path.join(dir, "estate"),
    quiet,
  );
  const w = await Warehouse.open({ path: ":memory:" });
  const lakeDir = path.join(dir, "lake");
  const vars = modelVars(loadConfig({ cwd: dir, env: {} }));
  await ingestPaths(w, [path.join(dir, "estate")], { lakeDir }, quiet);
  return { dir, estate, w, lakeDir, vars, externalRoot: path.join(dir, "marts") };
}

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
  const { dir, estate, w, lakeDir, vars, externalRoot } = await ingestedEstate(3, 60, 70);
  await buildProject(w, ROOT, { runModels: true, runTests: false, vars, externalRoot }, quiet);
  const before = await w.all<{ p: string; l: string }>(
    "select x_BillingPeriod p, max(x_LoadId)::varchar l from marts.focus_costs group by 1 order by 1",
  );
  const filesBefore = (await externalFiles(w, "marts.focus_costs"))!;

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
  // Only October was rebuilt: the other months keep their files and the loads they had.
  const filesAfter = (await externalFiles(w, "marts.focus_costs"))!;
  const notOctober = (files: string[]) => files.filter((f) => !f.includes("x_BillingPeriod=2026-10")).sort();
  expect(notOctober(filesAfter)).toEqual(notOctober(filesBefore));
  expect(filesAfter.filter((f) => f.includes("x_BillingPeriod=2026-10"))).not.toEqual(
    filesBefore.filter((f) => f.includes("x_BillingPeriod=2026-10")),
  );
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

/** utilization_daily per day and provider: its rows, samples and measures. */
const utilization = (w: Warehouse) =>
  w.all(
    `select usage_date::varchar d, provider, count(*)::varchar n, sum(sample_count)::varchar s,
       round(sum(cpu_avg_pct), 3)::varchar c, max(cpu_max_pct)::varchar m, sum(network_in_bytes)::varchar b
     from marts.utilization_daily group by all order by all`,
  );

it("utilization_daily rebuilds only the days new metrics hold, and all of itself once a metrics file is delivered again", async () => {
  const { dir, estate, w, lakeDir, vars, externalRoot } = await ingestedEstate(5, 30, 20);
  const build = async (fullRefresh = false) => {
    const { failed } = await buildProject(
      w,
      ROOT,
      { runModels: true, runTests: !fullRefresh, fullRefresh, vars, externalRoot },
      quiet,
    );
    expect(failed).toBe(0);
  };
  await build();
  // Where each row sits in the table: a delete+insert of some days leaves the others' rows in place.
  const rows = () =>
    w.all<{ r: string; id: string; d: string }>(
      "select rowid::varchar r, utilization_daily_id::varchar id, usage_date::varchar d from marts.utilization_daily order by rowid",
    );
  const rowsBefore = await rows();
  const awsMetrics = estate.files.find((f) => f.includes(`${path.sep}aws${path.sep}month=2026-10`))!;
  const duck = await DuckDBInstance.create(":memory:");
  const con = await duck.connect();

  // A day of AWS metrics more, in a file of its own: only 1 November is built.
  const november = path.join(dir, "more", "aws", "month=2026-11", "metrics.parquet");
  mkdirSync(path.dirname(november), { recursive: true });
  await con.run(`COPY (SELECT * REPLACE ("timestamp" + INTERVAL 1 DAY AS "timestamp") FROM read_parquet('${awsMetrics}')
      WHERE "timestamp" >= TIMESTAMPTZ '2026-10-31 00:00:00+00') TO '${november}' (FORMAT parquet)`);
  await ingestPaths(w, [november], { lakeDir }, quiet);
  await build();
  const rowsAfter = await rows();
  expect(rowsAfter.filter((r) => r.d < "2026-11-01")).toEqual(rowsBefore);
  expect(rowsAfter.filter((r) => r.d === "2026-11-01").length).toBeGreaterThan(0);
  const incremental = await utilization(w);
  await build(true);
  expect(incremental).toEqual(await utilization(w));

  // Every provider's October file delivered again without its last day: the day has no samples
  // left, and its rows go (an incremental run deleting only the days it rebuilt would keep them).
  const october = estate.files.filter((f) => f.includes("month=2026-10") && f.endsWith("metrics.parquet"));
  expect(october.length).toBeGreaterThan(1);
  for (const file of october) {
    await con.run(`COPY (SELECT * FROM read_parquet('${file}') WHERE "timestamp" < TIMESTAMPTZ '2026-10-31 00:00:00+00')
        TO '${file}.new' (FORMAT parquet)`);
    renameSync(`${file}.new`, file);
  }
  await ingestPaths(w, october, { lakeDir }, quiet);
  await build();
  const restated = await utilization(w);
  expect(restated.some((r) => (r as { d: string }).d === "2026-10-31")).toBe(false);
  expect(restated.some((r) => (r as { d: string }).d === "2026-10-30")).toBe(true);
  await build(true);
  expect(restated).toEqual(await utilization(w));
  con.closeSync();
  duck.closeSync();
  await w.close();
}, 300_000);
