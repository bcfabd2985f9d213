import { beforeAll, describe, expect, it } from "vitest";
import { closeWarehouse, type Warehouse } from "../../core/warehouse/warehouse.ts";
import type { Truth } from "../../orchestrator/estate-generator/truth.ts";
import { runDemo } from "../helpers/demo.ts";
import { checkDataset, mustFailures } from "./focus-datasets.ts";
import { martBilledTotals, rawBilledTotals } from "./raw-totals.ts";

let warehouse: Warehouse;
let truth: Truth;

beforeAll(async () => {
  ({ warehouse, truth } = await runDemo(
    "generate:\n  resources: 120\n  days: 70\nallocation:\n  share_untagged: true\n",
  ));
  return closeWarehouse;
}, 300_000);

describe("marts.focus_costs on a generated estate", () => {
  it("passes every applicable FOCUS 1.2 MUST rule for each provider's export", async () => {
    for (const dataset of ["aws_cur", "azure_cost_details", "gcp_billing_export", "focus_export"]) {
      const report = await checkDataset(warehouse, dataset);
      const failing = mustFailures(report);
      expect({ dataset, failing: failing.map((r) => `${r.id}: ${r.failing ?? ""}`) }).toEqual({
        dataset,
        failing: [],
      });
      expect(report.passed).toBeGreaterThan(300);
    }
  });

  it("bills per period and currency exactly what the raw exports bill, to the cent", async () => {
    const raw = await rawBilledTotals(warehouse);
    const mart = await martBilledTotals(warehouse, [
      "aws_cur",
      "azure_cost_details",
      "gcp_billing_export",
      "focus_export",
    ]);
    expect(raw.length).toBeGreaterThan(8);
    expect(mart).toEqual(raw);
  });

  it("carries Azure's amortized dataset as EffectiveCost, to the cent", async () => {
    const rows = await warehouse.all<{ period: string; raw: string; mart: string }>(
      `select r.period, r.cost::varchar as raw, m.cost::varchar as mart
       from (select _billing_period as period, sum(CAST(CAST(costInBillingCurrency AS VARCHAR) AS DECIMAL(38, 10)))::decimal(38, 2) as cost
             from raw.azure_amortized_cost_lines group by 1) r
       left join (select x_BillingPeriod as period, sum(EffectiveCost)::decimal(38, 2) as cost
             from marts.focus_costs where x_SourceDataset = 'azure_cost_details' group by 1) m using (period)
       order by 1`,
    );
    expect(rows.length).toBeGreaterThan(1);
    for (const r of rows) expect(r.mart, r.period).toBe(r.raw);
  });

  it("spreads each commitment exactly: used + unused effective cost = its fees + amortized upfront", async () => {
    const days = await warehouse.all<{
      commitment_id: string;
      days: string;
      amortized: string;
      purchased: string;
    }>(
      `select commitment_id, count(distinct charge_date)::varchar as days, sum(amortized_cost)::varchar as amortized,
         sum(purchase_cost)::varchar as purchased from marts.commitments group by 1`,
    );
    expect(days.map((d) => d.commitment_id).sort()).toEqual(truth.commitments.map((c) => c.id).sort());
    for (const c of truth.commitments) {
      const d = days.find((x) => x.commitment_id === c.id)!;
      const termDays = (c.termMonths * 730) / 24;
      const expected = Number(d.days) * (c.hourlyCommitment * 24 + c.upfront / termDays);
      expect(Number(d.amortized), c.id).toBeCloseTo(expected, 1);
      // What was paid over the window: the daily fees, plus the upfront fee where it was bought.
      const paid = Number(d.days) * c.hourlyCommitment * 24 + c.upfront;
      expect(Number(d.purchased), c.id).toBeCloseTo(paid, 1);
    }
  });

  it("reports each commitment's utilization, coverage and AWS term", async () => {
    const rows = await warehouse.all<{ t: string; util: string; cov: string; term_end: string | null }>(
      `select commitment_type as t, round(sum(used_cost) * 100 / sum(amortized_cost), 1)::varchar as util,
         max(coverage_pct)::varchar as cov, max(term_end)::varchar as term_end from marts.commitments group by 1 order by 1`,
    );
    for (const r of rows) {
      expect(Number(r.util)).toBeGreaterThan(50);
      expect(Number(r.util)).toBeLessThanOrEqual(100);
      expect(Number(r.cov)).toBeGreaterThan(0);
    }
    const sp = truth.commitments.find((c) => c.type === "savings_plan")!;
    expect(rows.find((r) => r.t === "Savings Plan")!.term_end).toBe(
      new Date(
        Date.UTC(
          Number(sp.startDate.slice(0, 4)) + 1,
          Number(sp.startDate.slice(5, 7)) - 1,
          Number(sp.startDate.slice(8, 10)),
        ),
      )
        .toISOString()
        .slice(0, 10),
    );
  });
});

describe("marts.allocation", () => {
  it("keeps each account's total when untagged cost is shared out, and shows it untagged first", async () => {
    const rows = await warehouse.all<{
      dimension: string;
      diff: string;
      untagged: string;
      shared_back: string;
    }>(
      `select dimension, max(abs(allocated - effective))::varchar as diff, sum(untagged)::varchar as untagged,
         sum(shared_back)::varchar as shared_back
       from (
         select dimension, billing_period, billing_account_id, sub_account_id, currency,
           sum(allocated_cost) as allocated, sum(effective_cost) as effective,
           sum(effective_cost) filter (where is_untagged) as untagged,
           sum(shared_cost) filter (where not is_untagged) as shared_back
         from marts.allocation group by all
       ) group by 1 order by 1`,
    );
    expect(rows.map((r) => r.dimension)).toEqual(["cost_centre", "environment", "team"]);
    for (const r of rows) {
      expect(Number(r.diff)).toBeLessThan(0.000001);
      expect(Number(r.untagged)).toBeGreaterThan(0);
      expect(Number(r.shared_back)).toBeCloseTo(Number(r.untagged), 4);
    }
  });

  it("counts the same effective cost per dimension as focus_costs, with tag coverage per account", async () => {
    const [row] = await warehouse.all<{ a: string; f: string }>(
      `select (select sum(effective_cost) from marts.allocation where dimension = 'team')::decimal(38, 2)::varchar as a,
         (select sum(EffectiveCost) from marts.focus_costs)::decimal(38, 2)::varchar as f`,
    );
    expect(row!.a).toBe(row!.f);
    // Coverage recomputed from the charges themselves: the share of each account's cost whose tags
    // carry one of the team keys (the default config: team, Team, user_team, owner).
    const coverage = await warehouse.all<{ expected: string; mart: string }>(
      `with charges as (
         select x_BillingPeriod as p, BillingAccountId as b, SubAccountId as s, BillingCurrency as c, EffectiveCost as e,
           coalesce(nullif(Tags ->> 'team', ''), nullif(Tags ->> 'Team', ''), nullif(Tags ->> 'user_team', ''),
             nullif(Tags ->> 'owner', '')) is not null as tagged
         from marts.focus_costs),
       expected as (
         select p, b, s, c, round(100 * coalesce(sum(e) filter (where tagged), 0) / nullif(sum(e), 0), 2) as pct
         from charges group by all)
       select e.pct::varchar as expected, a.tag_coverage_pct::varchar as mart
       from expected e join (select distinct billing_period, billing_account_id, sub_account_id, currency, tag_coverage_pct
         from marts.allocation where dimension = 'team') a
       on a.billing_period = e.p and a.billing_account_id = e.b and a.sub_account_id is not distinct from e.s and a.currency = e.c`,
    );
    expect(coverage.length).toBeGreaterThan(8);
    expect(coverage.filter((r) => Number(r.expected) !== Number(r.mart))).toEqual([]);
    // The estate tags some resources and not others: coverage is neither all nor nothing everywhere.
    expect(coverage.some((r) => Number(r.mart) > 0 && Number(r.mart) < 100)).toBe(true);
  });
});

describe("one key per provider", () => {
  it("joins every provider's billed VMs to their metrics on (provider, resource_id)", async () => {
    const rows = await warehouse.all<{ provider: string; vms: string; measured: string }>(
      `select r.provider, count(*)::varchar as vms, count(u.resource_id)::varchar as measured
       from marts.resources r
       left join (select distinct provider, resource_id from marts.utilization_daily) u using (provider, resource_id)
       where r.resource_type = 'virtual_machine' group by 1 order by 1`,
    );
    expect(rows.map((r) => r.provider)).toEqual(["aws", "azure", "gcp", "oci"]);
    for (const r of rows) expect(Number(r.measured), r.provider).toBeGreaterThan(0);
    const keys = await warehouse.all<{ p: string }>(
      `select distinct x_Provider as p from marts.focus_costs union select distinct provider from marts.utilization_daily order by 1`,
    );
    expect(keys.map((k) => k.p)).toEqual(["aws", "azure", "gcp", "oci"]);
  });
});

describe("resource sizes", () => {
  it("are each provider's real size names, read where the export carries them", async () => {
    const vms = await warehouse.all<{ provider: string; sku: string | null }>(
      "select provider, sku from marts.resources where resource_type = 'virtual_machine' order by 1, 2",
    );
    const shape: Record<string, RegExp> = {
      aws: /^[a-z][a-z0-9]*\.[a-z0-9]+$/, // m5.large (product_instance_type)
      azure: /^Standard_[A-Za-z0-9_]+$/, // Standard_D4s_v5 (AdditionalInfo ServiceType), not the meter's "D4s v5"
      gcp: /^[a-z][a-z0-9]*-[a-z]+-\d+$/, // n2-standard-4 (system label machine_spec), not the SKU's family
    };
    for (const [provider, pattern] of Object.entries(shape)) {
      const ofProvider = vms.filter((v) => v.provider === provider);
      expect(ofProvider.length, provider).toBeGreaterThan(0);
      expect(
        ofProvider.filter((v) => !pattern.test(v.sku ?? "")),
        provider,
      ).toEqual([]);
    }
    // Planted cases name the size they were generated with.
    for (const c of truth.cases.filter((x) => x.case === "oversized_vm" && x.provider !== "oci")) {
      expect(
        vms.find((v) => v.provider === c.provider && v.sku === c.current),
        c.resource_id,
      ).toBeDefined();
    }
  });
});
