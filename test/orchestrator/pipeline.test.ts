import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config.ts";
import { closeWarehouse, type Warehouse } from "../../core/warehouse/warehouse.ts";
import { ingestPaths } from "../../ingest/load.ts";
import type { Truth } from "../../orchestrator/estate-generator/truth.ts";
import { buildReport } from "../../reports/build.ts";
import { runDemo } from "../helpers/demo.ts";
import { quiet } from "../helpers/tmp.ts";

let warehouse: Warehouse;
let dataDir: string;
let truth: Truth;

beforeAll(async () => {
  ({ warehouse, dataDir, truth } = await runDemo("generate:\n  resources: 150\n  days: 45\n"));
  return closeWarehouse;
}, 300_000);

describe("the demo pipeline on a generated estate", () => {
  it("finds exactly the planted idle VMs, with their expected monthly savings", async () => {
    const found = await warehouse.all<{ resource_id: string; s: string; currency: string }>(
      "select resource_id, estimated_monthly_savings::varchar as s, currency from marts.recommendations where detector = 'idle_vm'",
    );
    const expected = truth.cases
      .filter((c) => c.case === "idle_vm")
      .map((c) => ({
        resource_id: c.provider === "azure" ? c.resource_id.toLowerCase() : c.resource_id,
        s: c.expected_monthly_savings,
        currency: c.currency,
      }));
    const key = (r: { resource_id: string }) => r.resource_id;
    expect(found.sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
      expected.sort((a, b) => key(a).localeCompare(key(b))),
    );
  });

  // GCP's export `cost` is before credits; its billed cost (cost + credits) is checked below.
  it("lands billed cost per provider export equal to the raw files, to the cent", async () => {
    const loads = await warehouse.all<{ source: string; totals: string }>(
      "select source, cost_totals as totals from ops.loads where status in ('loaded', 'replaced') and source not in ('metrics_hourly', 'azure_amortized', 'gcp_bq_json')",
    );
    const bySourceFile: Record<string, number> = {};
    for (const l of loads)
      for (const [cur, v] of Object.entries(JSON.parse(l.totals) as Record<string, string>))
        bySourceFile[cur] = (bySourceFile[cur] ?? 0) + Number(v);
    const marts = await warehouse.all<{ currency: string; billed: string }>(
      "select currency, sum(billed_cost)::varchar as billed from marts.cost_daily where provider <> 'gcp' group by 1",
    );
    for (const m of marts) expect(Number(m.billed)).toBeCloseTo(bySourceFile[m.currency]!, 2);
  });

  it("bills GCP as cost plus credits", async () => {
    const [raw] = await warehouse.all<{ s: string }>(
      `select (sum(cost::decimal(38,10)) + sum(coalesce((select sum((c ->> 'amount')::decimal(38,10)) from (select unnest(from_json(credits, '["json"]')) as c)), 0)))::varchar as s
       from raw.gcp_billing_export_lines`,
    );
    const [mart] = await warehouse.all<{ s: string }>(
      "select sum(billed_cost)::varchar as s from marts.cost_daily where provider = 'gcp'",
    );
    expect(mart!.s).toBe(raw!.s);
  });

  it("skips files already loaded: ingesting the estate again changes nothing", async () => {
    const before = await warehouse.all("select count(*)::varchar as n from raw.aws_cur2_line_items");
    const config = loadConfig({ dataDir, env: {} });
    const results = await ingestPaths(
      warehouse,
      [config.paths.estate],
      { lakeDir: config.paths.lake },
      quiet,
    );
    expect(new Set(results.map((r) => r.status))).toEqual(new Set(["skipped"]));
    expect(await warehouse.all("select count(*)::varchar as n from raw.aws_cur2_line_items")).toEqual(before);
  });

  it("writes the marts as Parquet, the approval table as CSV, and builds the site offline", async () => {
    for (const mart of ["utilization_daily", "resources", "recommendations"]) {
      expect(existsSync(path.join(dataDir, "marts", `${mart}.parquet`)), mart).toBe(true);
    }
    // External marts are their own Parquet, a folder per billing period, and no snapshot file.
    for (const mart of ["cost_daily", "focus_costs"]) {
      expect(
        readdirSync(path.join(dataDir, "marts", mart)).every((d) => /=\d{4}-\d{2}$/.test(d)),
        mart,
      ).toBe(true);
      expect(existsSync(path.join(dataDir, "marts", `${mart}.parquet`)), mart).toBe(false);
    }
    const csv = readFileSync(path.join(dataDir, "exports", "approvals.csv"), "utf8").split("\n");
    expect(csv[0]).toBe(
      "decision,execute_after,acknowledge_irreversible,note,recommendation_id,version,provider,billing_account_id,sub_account_id,resource_id,region,detector,category,action,action_kind,irreversible,current_configuration,target_configuration,estimated_monthly_savings,list_monthly_savings,currency,risk_level,risk_score,top_risk_factor,mitigations,priority,required_approvals,queued_at",
    );
    const [open] = await warehouse.all<{ n: number }>(
      "select count(*)::integer as n from marts.recommendations where status = 'open'",
    );
    expect(csv.filter(Boolean).length - 1).toBe(open!.n);
    expect(open!.n).toBeGreaterThan(truth.cases.filter((c) => c.case === "idle_vm").length);
    const html = readFileSync(path.join(dataDir, "site", "index.html"), "utf8");
    expect(html).toContain("Executive summary");
    expect(html).not.toMatch(/cdn\.jsdelivr|fonts\.googleapis/);
  });

  it("rebuilds the site in place when the report is built again", async () => {
    const siteDir = path.join(dataDir, "site");
    await buildReport({ martsDir: path.join(dataDir, "marts"), siteDir, title: "Again" });
    expect(readFileSync(path.join(siteDir, "index.html"), "utf8")).toContain("Again");
    expect(existsSync(`${siteDir}.partial`)).toBe(false);
  });

  it("records the run in ops.pipeline_runs", async () => {
    const runs = await warehouse.all<{ status: string }>("select status from ops.pipeline_runs");
    expect(runs).toEqual([{ status: "succeeded" }]);
  });
});
