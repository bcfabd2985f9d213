/**
 * The providers' cost APIs (Cost Explorer, Cost Management Query) land daily service-level cost;
 * focus_costs carries it as FOCUS rows for the accounts and periods no detailed export of the
 * provider covers.
 */
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildProject } from "../../core/dbt/runner.ts";
import { Warehouse } from "../../core/warehouse/warehouse.ts";
import { ingestPaths } from "../../ingest/load.ts";
import { COST_MANAGEMENT_COLUMNS } from "../../ingest/azure/cost-management.ts";
import { COST_EXPLORER_COLUMNS } from "../../ingest/aws/cost-explorer.ts";
import { writeMonthlyCsv } from "../../ingest/remote/monthly-csv.ts";
import { quiet, tempDir } from "../helpers/tmp.ts";
import { checkDataset, mustFailures } from "./focus-datasets.ts";
import { martBilledTotals, rawBilledTotals } from "./raw-totals.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
// A real CUR (Athena snake_case) for 2022-07, account 999999.
const CUR = path.join(ROOT, "test/fixtures/billing-samples/aws/cur_athena_snakecase_koku_2022-07.csv");

let w: Warehouse;

beforeAll(async () => {
  const dir = tempDir();
  const ceRow = (
    usage_date: string,
    service: string,
    unblended_cost: string,
    amortized_cost: string,
    linked_account_id = "999999",
  ) => ({
    usage_date,
    linked_account_id,
    service,
    unblended_cost,
    amortized_cost,
    usage_quantity: "24",
    currency: "USD",
    estimated: "false",
    source: "aws_cost_explorer",
  });
  // Written as the API sources write them: one CSV per month.
  const explorer = writeMonthlyCsv(
    path.join(dir, "ce"),
    "cost-explorer",
    COST_EXPLORER_COLUMNS,
    [
      ceRow("2022-07-01", "Amazon Elastic Compute Cloud - Compute", "10.25", "9.75"),
      // An account the CUR does not cover (another organisation's, say) keeps its API rows.
      ceRow("2022-07-01", "Amazon Simple Storage Service", "2.00", "2.00", "888888"),
      ceRow("2022-08-01", "Amazon Elastic Compute Cloud - Compute", "12.50", "11.00"),
      ceRow("2022-08-02", "Savings Plans for AWS Compute usage", "100.00", "0"),
      ceRow("2022-08-31", "Tax", "1.13", "1.13"),
    ],
    "usage_date",
  );
  const cmRow = (usage_date: string, service_name: string, actual_cost: string, amortized_cost: string) => ({
    usage_date,
    subscription_id: "00000000-0000-0000-0000-00000000abcd",
    service_name,
    actual_cost,
    amortized_cost,
    currency: "EUR",
    scope: "subscriptions/00000000-0000-0000-0000-00000000abcd",
    source: "azure_cost_management",
  });
  const management = writeMonthlyCsv(
    path.join(dir, "cm"),
    "cost-management",
    COST_MANAGEMENT_COLUMNS,
    [cmRow("2026-09-30", "Virtual Machines", "3.10", "2.90"), cmRow("2026-10-01", "Storage", "0.42", "0.42")],
    "usage_date",
  );
  w = await Warehouse.open({ path: ":memory:" });
  await ingestPaths(w, [explorer, management, CUR], { lakeDir: tempDir() }, quiet);
  const { failed } = await buildProject(
    w,
    ROOT,
    { runModels: true, runTests: true, externalRoot: tempDir() },
    quiet,
  );
  expect(failed).toBe(0);
  return () => w.close();
}, 120_000);

describe("service-level cost from the providers' APIs", () => {
  it("becomes FOCUS rows only for the accounts and periods no detailed export covers", async () => {
    const rows = await w.all<{ dataset: string; period: string; n: number }>(
      `select x_SourceDataset as dataset, x_BillingPeriod as period, count(*)::int as n from marts.focus_costs
       where x_SourceDataset in ('aws_cost_explorer', 'azure_cost_management', 'aws_cur') group by all order by all`,
    );
    // Account 999999's 2022-07 comes from the CUR alone; Cost Explorer fills its 2022-08 and
    // account 888888's 2022-07, which the CUR does not cover.
    expect(rows).toEqual([
      { dataset: "aws_cost_explorer", period: "2022-07", n: 1 },
      { dataset: "aws_cost_explorer", period: "2022-08", n: 3 },
      { dataset: "aws_cur", period: "2022-07", n: 2 },
      { dataset: "azure_cost_management", period: "2026-09", n: 1 },
      { dataset: "azure_cost_management", period: "2026-10", n: 1 },
    ]);
  });

  it("bills what the API reported, amortized cost as EffectiveCost, Tax as Tax", async () => {
    const [aws] = await w.all<{ billed: string; effective: string; tax: string }>(
      `select sum(BilledCost)::decimal(18, 2)::varchar as billed, sum(EffectiveCost)::decimal(18, 2)::varchar as effective,
         sum(BilledCost) filter (where ChargeCategory = 'Tax')::decimal(18, 2)::varchar as tax
       from marts.focus_costs where x_SourceDataset = 'aws_cost_explorer'`,
    );
    expect(aws).toEqual({ billed: "115.63", effective: "14.13", tax: "1.13" });
    const mart = await martBilledTotals(w, ["azure_cost_management"]);
    const raw = (await rawBilledTotals(w)).filter((t) => t.dataset === "azure_cost_management");
    expect(mart).toEqual(raw);
  });

  it("pass every applicable FOCUS 1.2 MUST rule", async () => {
    for (const dataset of ["aws_cost_explorer", "azure_cost_management"]) {
      const failing = mustFailures(await checkDataset(w, dataset));
      expect({ dataset, failing: failing.map((r) => r.id) }).toEqual({ dataset, failing: [] });
    }
  });
});
