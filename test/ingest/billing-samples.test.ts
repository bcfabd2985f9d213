/**
 * Every real sample file either loads and reconciles, or is rejected with a
 * message naming the file (and row / column where there is one).
 */
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Warehouse } from "../../core/warehouse/warehouse.ts";
import { type FileResult, ingestPaths } from "../../ingest/load.ts";
import { FIXTURES, quiet, tempDir } from "../helpers/tmp.ts";

/** file -> format it loads as, or the message it is rejected with. */
const EXPECTED: Record<string, string | RegExp> = {
  "aws/cur2_fivetran_dbt_seed.csv": "aws_cur2",
  "aws/cur_athena_snakecase_koku_2022-07.csv": "aws_cur2",
  "aws/cur_legacy_anon_focusconv.csv": "aws_cur_legacy",
  "aws/cur_legacy_costcategory_koku_2023-06.csv": "aws_cur_legacy",
  "aws/cur_legacy_nise_koku_2018-06.csv.gz": "aws_cur_legacy",
  // The sample's manifest names an assembly folder that was not published with it.
  "aws/cur_legacy_nise_koku_2018-06-Manifest.json":
    /: manifest lists 1 file that is not there: 16e57707-f9e3-49be-8be6-b84e684b5194\/koku-local-1\.csv\.gz$/,
  "aws/cur_legacy_nise_test_koku.csv": /\(row 2\): has 130 fields where the header has 131 columns$/,
  "aws/cur_legacy_nise_test_koku.csv.gz": /\(row 2\): has 130 fields where the header has 131 columns$/,
  "aws/cur_legacy_notfinal_koku_2023-06.csv": "aws_cur_legacy",
  "azure/camelcase_short_koku.csv": "azure_actual",
  "azure/ea_actualcost_small_ftk.csv": "azure_actual",
  "azure/ea_amortizedcost_small_ftk.csv": "azure_amortized",
  "azure/ea_export_anon_focusconv.csv": "azure_actual",
  "azure/ea_norows_header_only_ftk.csv": "azure_actual",
  "azure/ea_v2_koku.csv": /\(row 2, column BillingCurrencyCode\): unknown currency code "MC"/,
  "azure/legacy_v1_costreport_koku.csv": "azure_actual",
  "azure/mca_camelcase_koku.csv": "azure_actual",
  "azure/opencost_headerset_bom.csv": "azure_actual",
  "azure/opencost_headerset_enterprise.csv": "azure_actual",
  "azure/opencost_headerset_enterprisecamel.csv": "azure_actual",
  "azure/opencost_headerset_german.csv": "azure_actual",
  "azure/opencost_headerset_payasyougo.csv": "azure_actual",
  "azure/opencost_headerset_ya.csv": "azure_actual",
  "azure/opencost_values_missingbrackets.csv":
    /\(row 1, column billingCurrency\): missing required column for azure_actual: one of billingCurrency/,
  "azure/opencost_values_template.csv":
    /\(row 1, column billingCurrency\): missing required column for azure_actual: one of billingCurrency/,
  "azure/opencost_values_virtualmachine.csv":
    /\(row 1, column billingCurrency\): missing required column for azure_actual: one of billingCurrency/,
  "azure/schema_ftk_actualcost_c360-2025-04.json": /: not a recognised export \(columns seen: /,
  "azure/schema_ftk_amortizedcost_c360-2025-04.json": /: not a recognised export \(columns seen: /,
  "azure/schema_ftk_focuscost_1.0.json": /: not a recognised export \(columns seen: /,
  "azure/schema_ftk_focuscost_1.2.json": /: not a recognised export \(columns seen: /,
  "focus/focus05_validator_all_pass.csv": "focus",
  "focus/focus10_multicloud_sample_1000.csv": "focus",
  "focus/focus_validator_sample.parquet":
    /not a recognised export: closest is focus \(.*\), which also needs BilledCost, BillingPeriodStart, ChargePeriodStart; columns seen: InvoiceIssuer, ResourceID, ChargeType/,
  "gcp/bq_export_csv_koku_2020-11.csv": "gcp_bq_csv",
  "gcp/bq_export_csv_labels_koku_2020-10.csv": "gcp_bq_csv",
  "gcp/bq_export_csv_resource_koku_2022-08.csv": "gcp_bq_csv",
  "gcp/legacy_file_export_csv_koku_2019-09.csv": "gcp_file_export_csv",
  "gcp/legacy_file_export_json_2014-01-02.json": "gcp_file_export_json",
  // Second batch: real delivery shapes the first batch lacked.
  "aws/cur_legacy_keboola_MockTestReport-00001.csv.zip": "aws_cur_legacy",
  "aws/cur2_keboola_MockTestReportV2-00001.csv.gz": "aws_cur2",
  "gcp/bq_flat_csv_pso_finops_agent_sample_billing_data.csv": "gcp_bq_csv",
  "gcp/bq_json_concat_pso_cuds_test_9_3_export.json": "gcp_bq_json",
  "focus/focus12_aws_fdt_rows100_seed42.csv": "focus",
  "focus/focus12_azure_fdt_rows25_seed7_credits.csv": "focus",
  "focus/focus12_gcp_fdt_rows100_seed42.csv": "focus",
  "focus/focus13_aws_fdt_rows100_seed42.csv": "focus",
  "focus/focus13_multi_provider_fdt_consolidated.csv": "focus",
  "focus/focus13_contract_commitment_gcp_fdt_rows100_seed42.csv":
    /: a FOCUS Contract Commitment dataset \(commitment terms, not cost and usage rows\): nothing to bill, not loaded$/,
};
for (const f of [
  "commitment_discount_purchase_scenario_1",
  "commitment_discount_usage_scenario_1",
  "commitment_discount_usage_scenario_2",
  "commitment_discount_usage_scenario_3",
  "commitment_discount_usage_scenario_4",
  "one_hundred_percent_utilization_with_commitment_discount_flexibility_with_1_resource",
  "one_hundred_percent_utilization_with_commitment_discount_flexibility_with_2_resources",
  "one_hundred_percent_utilization_without_commitment_discount_flexibility",
  "zero_percent_utilization_without_commitment_discount_flexibility",
])
  EXPECTED[`focus/spec_example_${f}.csv`] = "focus";
// Two of the specification's own examples end a charge period at hour 30 ("2023-02-01T30:00:00Z").
EXPECTED["focus/spec_example_commitment_discount_purchase_scenario_2.csv"] =
  /\(row 4, column ChargePeriodEnd\): expected a date or timestamp, found "2023-02-01T30:00:00Z"$/;
EXPECTED["focus/spec_example_commitment_discount_purchase_scenario_3.csv"] =
  /\(row 5, column ChargePeriodEnd\): expected a date or timestamp, found "2023-02-01T30:00:00Z"$/;

/** Totals computed independently (Python csv + Decimal over the raw files), rounded to the cent. */
const CENTS: Record<string, Record<string, string>> = {
  "focus/focus10_multicloud_sample_1000.csv": { USD: "20.52" },
  "aws/cur_legacy_anon_focusconv.csv": { USD: "1.68" },
  "aws/cur_legacy_nise_koku_2018-06.csv.gz": { USD: "143227.76" },
  "azure/ea_amortizedcost_small_ftk.csv": { USD: "16.30" },
  "azure/ea_export_anon_focusconv.csv": { CAD: "1.26" },
  "gcp/bq_export_csv_labels_koku_2020-10.csv": { USD: "0.36" },
  // The second batch's references (SOURCES.md): the billed-cost column's exact sum.
  "aws/cur_legacy_keboola_MockTestReport-00001.csv.zip": { USD: "0.05" },
  "aws/cur2_keboola_MockTestReportV2-00001.csv.gz": { USD: "0.11" },
  "focus/focus12_aws_fdt_rows100_seed42.csv": { USD: "1157.49" },
  "focus/focus12_azure_fdt_rows25_seed7_credits.csv": { USD: "592.79" },
  "focus/focus12_gcp_fdt_rows100_seed42.csv": { USD: "837.52" },
  "focus/focus13_aws_fdt_rows100_seed42.csv": { USD: "1242.12" },
  "focus/focus13_multi_provider_fdt_consolidated.csv": { EUR: "100.00", USD: "208.00" },
};

let results: Map<string, FileResult>;
let warehouse: Warehouse;

beforeAll(async () => {
  warehouse = await Warehouse.open({ path: ":memory:" });
  const list = await ingestPaths(warehouse, [FIXTURES], { lakeDir: tempDir(), continueOnError: true }, quiet);
  results = new Map(list.map((r) => [path.relative(FIXTURES, r.file), r]));
  return () => warehouse.close();
});

describe("every file in the real billing samples", () => {
  it("is accounted for", () => {
    expect([...results.keys()].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))("%s", (file, expected) => {
    const result = results.get(file)!;
    if (typeof expected === "string") {
      expect(result.error).toBeUndefined();
      expect(result.format).toBe(expected);
      expect(["loaded", "replaced"]).toContain(result.status);
    } else {
      expect(result.status).toBe("failed");
      expect(result.error!.startsWith(path.join(FIXTURES, file))).toBe(true);
      expect(result.error).toMatch(expected);
    }
  });

  it.each(Object.entries(CENTS))("%s reconciles to the cent with an independent sum", (file, cents) => {
    const totals = results.get(file)!.totals;
    expect(Object.fromEntries(Object.entries(totals).map(([c, v]) => [c, Number(v).toFixed(2)]))).toEqual(
      cents,
    );
  });

  it("reports a header-only export as an empty month with a warning", () => {
    expect(results.get("azure/ea_norows_header_only_ftk.csv")).toMatchObject({
      rows: 0,
      warning: expect.stringMatching(/header only/),
    });
  });

  it("keeps account ids as text and lands nothing of a rejected file", async () => {
    const ids = await warehouse.all<{ id: string }>(
      `select distinct "bill/PayerAccountId" as id from raw.aws_cur_legacy_line_items where _source_file like '%nise_koku_2018%'`,
    );
    expect(ids).toEqual([{ id: "6568388779672" }]);
    const rejected = await warehouse.all(
      "select 1 from raw.azure_actual_cost_lines where _source_file like '%ea_v2_koku%'",
    );
    expect(rejected).toEqual([]);
  });
});
