import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { modelVars, loadConfig } from "../../core/config.ts";
import { buildProject } from "../../core/dbt/runner.ts";
import { Warehouse } from "../../core/warehouse/warehouse.ts";
import { ingestPaths } from "../../ingest/load.ts";
import { quiet, tempDir } from "../helpers/tmp.ts";
import { checkDataset, mustFailures } from "./focus-datasets.ts";
import { martBilledTotals, rawBilledTotals } from "./raw-totals.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const SAMPLES = path.join(ROOT, "test/fixtures/billing-samples");

let w: Warehouse;
let failedTests: string[];

beforeAll(async () => {
  w = await Warehouse.open({ path: ":memory:" });
  await ingestPaths(w, [SAMPLES], { lakeDir: tempDir(), continueOnError: true }, quiet);
  const config = loadConfig({ cwd: tempDir(), env: {} });
  const { results } = await buildProject(
    w,
    ROOT,
    { runModels: true, runTests: true, vars: modelVars(config), externalRoot: tempDir() },
    quiet,
  );
  failedTests = results.filter((r) => r.status === "fail" || r.status === "error").map((r) => r.unique_id);
  return () => w.close();
}, 300_000);

describe("the marts built from every real billing sample", () => {
  it("build every model and pass every test; rows lacking mandatory FOCUS columns come only from spec fragments", async () => {
    expect(failedTests.filter((t) => t.startsWith("model."))).toEqual([]);
    const fragments = await w.all<{ f: string }>(
      "select distinct x_SourceFile as f from marts.focus_costs where BillingCurrency is null or BillingAccountId is null",
    );
    expect(fragments.length).toBeGreaterThan(0);
    expect(fragments.every((r) => path.basename(r.f).startsWith("spec_example_"))).toBe(true);
    // Their gaps (and the FOCUS samples' own) warn rather than fail the build.
    expect(failedTests).toEqual([]);
  });

  it("pass every applicable FOCUS 1.2 MUST rule for AWS, Azure and GCP exports (GCP's retired file export too)", async () => {
    for (const dataset of ["aws_cur", "azure_cost_details", "gcp_billing_export", "gcp_file_export"]) {
      const failing = mustFailures(await checkDataset(w, dataset));
      expect({ dataset, failing: failing.map((r) => r.id) }).toEqual({ dataset, failing: [] });
    }
  });

  it("bill what each raw export bills, per period and currency, to the cent", async () => {
    const raw = await rawBilledTotals(w);
    const mart = await martBilledTotals(w, [
      "aws_cur",
      "azure_cost_details",
      "gcp_billing_export",
      "gcp_file_export",
      "focus_export",
    ]);
    const key = (t: { dataset: string; period: string; account: string; currency: string }) =>
      `${t.dataset}|${t.period}|${t.account}|${t.currency}`;
    const martByKey = new Map(mart.map((t) => [key(t), t.cost]));
    expect(raw.length).toBeGreaterThan(15);
    for (const t of raw)
      expect({ key: key(t), cost: martByKey.get(key(t)) }).toEqual({ key: key(t), cost: t.cost });
    // Only amortized-only Azure exports add periods the raw billed totals do not have.
    const rawKeys = new Set(raw.map(key));
    const extra = mart.filter((t) => !rawKeys.has(key(t)));
    expect(extra.every((t) => t.dataset === "azure_cost_details")).toBe(true);
  });
});

/** Expected results stated by the FOCUS specification's commitment discount examples. */
const SPEC_EXAMPLES: Record<string, { purchase: string; used: string; unused: string; onDemand?: string }> = {
  commitment_discount_purchase_scenario_1: { purchase: "8760.00", used: "0.00", unused: "0.00" },
  commitment_discount_usage_scenario_1: { purchase: "0.00", used: "1.00", unused: "0.00" },
  commitment_discount_usage_scenario_2: { purchase: "0.00", used: "0.00", unused: "1.00" },
  commitment_discount_usage_scenario_3: { purchase: "0.00", used: "0.75", unused: "0.25" },
  commitment_discount_usage_scenario_4: { purchase: "0.00", used: "1.00", unused: "0.00", onDemand: "0.50" },
  one_hundred_percent_utilization_with_commitment_discount_flexibility_with_1_resource: {
    purchase: "0.50",
    used: "0.50",
    unused: "0.00",
    onDemand: "2.25",
  },
  one_hundred_percent_utilization_with_commitment_discount_flexibility_with_2_resources: {
    purchase: "2.00",
    used: "2.00",
    unused: "0.00",
  },
  one_hundred_percent_utilization_without_commitment_discount_flexibility: {
    purchase: "1.50",
    used: "1.50",
    unused: "0.00",
  },
  zero_percent_utilization_without_commitment_discount_flexibility: {
    purchase: "1.50",
    used: "0.00",
    unused: "1.50",
    onDemand: "2.00",
  },
};

describe("the FOCUS specification's commitment discount examples", () => {
  it("give exactly the stated purchase, used, unused and on-demand amounts", async () => {
    const rows = await w.all<{
      f: string;
      purchase: string;
      used: string;
      unused: string;
      on_demand: string;
    }>(
      `select x_SourceFile as f,
         coalesce(sum(BilledCost) filter (where ChargeCategory = 'Purchase'), 0)::decimal(18, 2)::varchar as purchase,
         coalesce(sum(EffectiveCost) filter (where CommitmentDiscountStatus = 'Used'), 0)::decimal(18, 2)::varchar as used,
         coalesce(sum(EffectiveCost) filter (where CommitmentDiscountStatus = 'Unused'), 0)::decimal(18, 2)::varchar as unused,
         coalesce(sum(EffectiveCost) filter (where ChargeCategory = 'Usage' and CommitmentDiscountId is null), 0)::decimal(18, 2)::varchar as on_demand
       from marts.focus_costs where x_SourceFile like '%spec_example_%' group by 1`,
    );
    for (const [name, want] of Object.entries(SPEC_EXAMPLES)) {
      const got = rows.find((r) => path.basename(r.f) === `spec_example_${name}.csv`);
      expect({ name, ...got, f: undefined }).toEqual({
        name,
        f: undefined,
        purchase: want.purchase,
        used: want.used,
        unused: want.unused,
        on_demand: want.onDemand ?? "0.00",
      });
    }
  });

  it("hold the FOCUS invariant where purchase and usage share a file: usage effective cost = purchase", async () => {
    const rows = await w.all<{ f: string; usage: string; purchase: string }>(
      `select x_SourceFile as f,
         sum(EffectiveCost) filter (where CommitmentDiscountId is not null and ChargeCategory = 'Usage')::decimal(18, 2)::varchar as usage,
         sum(BilledCost) filter (where ChargeCategory = 'Purchase')::decimal(18, 2)::varchar as purchase
       from marts.focus_costs where x_SourceFile like '%spec_example_%utilization%' group by 1`,
    );
    expect(rows.length).toBe(4);
    for (const r of rows) expect({ f: r.f, usage: r.usage }).toEqual({ f: r.f, usage: r.purchase });
  });
});
