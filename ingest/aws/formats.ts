/** AWS Cost and Usage Reports: CUR 2.0 (Parquet) and legacy CUR (CSV / CSV.gz). */
import { hasColumns, ident, readCsvText, type SourceFormat, sqlPath } from "../format.ts";

export const awsCur2: SourceFormat = {
  id: "aws_cur2",
  provider: "aws",
  description: "AWS CUR 2.0 (Data Exports), Parquet, snake_case columns, MAP columns landed as JSON",
  rawTable: "aws_cur2_line_items",
  detect: (p) =>
    p.kind === "parquet" && hasColumns(p, ["line_item_unblended_cost", "bill_billing_period_start_date"]),
  // MAP columns (product, resource_tags, cost_category, discount) land as JSON text.
  read: (p) => `SELECT * REPLACE (
      to_json(product) AS product, to_json(resource_tags) AS resource_tags,
      to_json(cost_category) AS cost_category, to_json(discount) AS discount)
    FROM read_parquet(${sqlPath(p.path)}, hive_partitioning = false)`,
  requiredColumns: [
    "bill_payer_account_id",
    "bill_billing_period_start_date",
    "line_item_usage_account_id",
    "line_item_line_item_type",
    "line_item_usage_start_date",
    "line_item_unblended_cost",
    "line_item_currency_code",
  ],
  billingAccount: "bill_payer_account_id::VARCHAR",
  billingPeriod: "strftime(bill_billing_period_start_date::TIMESTAMP, '%Y-%m')",
  cost: "line_item_unblended_cost",
  currency: "line_item_currency_code",
  numericColumns: ["line_item_unblended_cost", "line_item_usage_amount"],
};

export const awsCurLegacy: SourceFormat = {
  id: "aws_cur_legacy",
  provider: "aws",
  description: "AWS legacy CUR, CSV or CSV.gz, category/Name columns",
  rawTable: "aws_cur_legacy_line_items",
  detect: (p) => p.kind === "csv" && hasColumns(p, ["lineItem/UnblendedCost", "bill/BillingPeriodStartDate"]),
  read: readCsvText,
  requiredColumns: [
    "bill/PayerAccountId",
    "bill/BillingPeriodStartDate",
    "lineItem/UsageAccountId",
    "lineItem/LineItemType",
    "lineItem/UsageStartDate",
    "lineItem/UnblendedCost",
    "lineItem/CurrencyCode",
  ],
  billingAccount: ident("bill/PayerAccountId"),
  billingPeriod: `substr(${ident("bill/BillingPeriodStartDate")}, 1, 7)`,
  cost: ident("lineItem/UnblendedCost"),
  currency: ident("lineItem/CurrencyCode"),
  numericColumns: ["lineItem/UnblendedCost", "lineItem/UsageAmount"],
};
