/**
 * GCP committed use discounts, on billing export rows written as the export writes them: a CUD
 * credit that covers part of a usage row makes only that share used commitment (used + unused =
 * the fee, every day), and the 2019 export (credits with neither id nor type, the fee in another
 * project of the account) links covered usage to its fee.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig, modelVars } from "../../core/config.ts";
import { buildProject } from "../../core/dbt/runner.ts";
import { Warehouse } from "../../core/warehouse/warehouse.ts";
import { ingestPaths } from "../../ingest/load.ts";
import { FIXTURES, quiet, tempDir } from "../helpers/tmp.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");

async function build(files: string[]): Promise<Warehouse> {
  const w = await Warehouse.open({ path: ":memory:" });
  await ingestPaths(w, files, { lakeDir: tempDir() }, quiet);
  const { failed } = await buildProject(
    w,
    ROOT,
    {
      runModels: true,
      runTests: true,
      vars: modelVars(loadConfig({ cwd: tempDir(), env: {} })),
      externalRoot: tempDir(),
    },
    quiet,
  );
  expect(failed).toBe(0);
  return w;
}

const line = (o: { day: string; sku: string; cost: string; credits?: object[]; amount?: string }) =>
  JSON.stringify({
    billing_account_id: "01AAAA-BBBBBB-CCCCCC",
    service: { id: "6F81-5844-456A", description: "Compute Engine" },
    sku: {
      id: o.sku === "fee" ? "FEE-1" : "CP-N2-CORE",
      description:
        o.sku === "fee"
          ? "Commitment v1: N2 Cpu in Americas for 1 Year"
          : "N2 Instance Core running in Americas",
    },
    usage_start_time: `2026-10-${o.day}T00:00:00Z`,
    usage_end_time: `2026-10-${o.day}T23:59:59Z`,
    project: { id: "web-prod", name: "web-prod" },
    location: { region: "us-central1", zone: "us-central1-a" },
    cost: o.cost,
    currency: "USD",
    usage: {
      amount: o.amount ?? "24",
      unit: "hour",
      amount_in_pricing_units: o.amount ?? "24",
      pricing_unit: "hour",
    },
    credits: o.credits ?? [],
    invoice: { month: "202610" },
    cost_type: "regular",
  });

describe("GCP committed use discounts", () => {
  it("count only the covered share of a partly covered row as used commitment; used + unused = the fee", async () => {
    const cud = (amount: string) => ({
      name: "Committed use discount: CPU",
      amount,
      id: "projects/web-prod/commitments/c1",
      type: "COMMITTED_USAGE_DISCOUNT",
    });
    const sud = {
      name: "Sustained usage discount",
      amount: "-1.5",
      id: "sud",
      type: "SUSTAINED_USAGE_DISCOUNT",
    };
    const file = path.join(tempDir(), "billing-202610.json");
    writeFileSync(
      file,
      [
        line({ day: "01", sku: "fee", cost: "10" }),
        line({ day: "01", sku: "usage", cost: "20", credits: [cud("-8"), sud] }),
        line({ day: "02", sku: "fee", cost: "10" }),
        line({ day: "02", sku: "usage", cost: "30", credits: [cud("-30")] }),
      ].join("\n"),
    );
    const w = await build([file]);
    const days = await w.all<{ d: string; used: string; unused: string; paid: string }>(
      `select charge_date::varchar as d, used_cost::decimal(18,4)::varchar as used, unused_cost::decimal(18,4)::varchar as unused,
         purchase_cost::decimal(18,4)::varchar as paid from marts.commitments order by 1`,
    );
    // Day 1: 8 of on-demand covered at the 1-year price (1 - 0.37): 5.04 used of the 10 fee.
    // Day 2: 30 covered, priced at min(0.63, fee / covered): the fee is wholly used.
    expect(days).toEqual([
      { d: "2026-10-01", used: "5.0400", unused: "4.9600", paid: "10.0000" },
      { d: "2026-10-02", used: "10.0000", unused: "0.0000", paid: "10.0000" },
    ]);
    const rows = await w.all<{ c: string; p: string; q: string; list: string; billed: string; eff: string }>(
      `select coalesce(CommitmentDiscountStatus, '-') as c, PricingCategory as p, PricingQuantity::decimal(18,4)::varchar as q,
         ListCost::decimal(18,4)::varchar as list, BilledCost::decimal(18,4)::varchar as billed, EffectiveCost::decimal(18,4)::varchar as eff
       from marts.focus_costs where ChargeCategory = 'Usage' and x_ChargeDate = '2026-10-01' order by ListCost`,
    );
    // The covered 8 of 20 (40% of 24 hours) and the 12 at on-demand, which keeps the sustained use credit.
    expect(rows).toEqual([
      { c: "Unused", p: "Committed", q: "24.0000", list: "0.0000", billed: "0.0000", eff: "4.9600" },
      { c: "Used", p: "Committed", q: "9.6000", list: "8.0000", billed: "0.0000", eff: "5.0400" },
      { c: "-", p: "Standard", q: "14.4000", list: "12.0000", billed: "10.5000", eff: "10.5000" },
    ]);
    const [billed] = await w.all<{ s: string }>(
      "select sum(BilledCost)::decimal(18,4)::varchar as s from marts.focus_costs",
    );
    // cost 70 (two fees, two usage rows) + credits -39.5: the invoice.
    expect(billed!.s).toBe("30.5000");
    await w.close();
  });

  it("link a 2019 export's id-less CUD credits to the account's one commitment, bought in another project", async () => {
    const w = await build([path.join(FIXTURES, "gcp/bq_json_concat_pso_cuds_test_9_3_export.json")]);
    const [c] = await w.all<{ paid: string; used: string; unused: string }>(
      `select sum(purchase_cost)::decimal(18,4)::varchar as paid, sum(used_cost)::decimal(18,4)::varchar as used,
         sum(unused_cost)::decimal(18,4)::varchar as unused from marts.commitments`,
    );
    // 2 x 30 of RAM covered at the 3-year price (1 - 0.55): 27 of the 100 fee used.
    expect(c).toEqual({ paid: "100.0000", used: "27.0000", unused: "73.0000" });
    await w.close();
  });
});
