/**
 * AWS Cost and Usage Reports: snake_case CUR (CUR 2.0 Parquet or CSV, and the
 * legacy CUR's Athena/Parquet naming) and the legacy CUR's category/Name CSV.
 */
import { ident, lit } from "../../core/sql.ts";
import { col, hasColumns, monthOf, pick, readCsvText, type SourceFormat } from "../format.ts";

const MAP_COLUMNS = ["product", "resource_tags", "cost_category", "discount"];

export const awsCur2: SourceFormat = {
  id: "aws_cur2",
  delivery: () => "restatement",
  provider: "aws",
  description:
    "AWS CUR 2.0 (Data Exports) and Athena-style CUR, snake_case, Parquet or CSV; MAP columns landed as JSON",
  rawTable: "aws_cur2_line_items",
  detect: (p) =>
    (p.kind === "parquet" || p.kind === "csv") &&
    hasColumns(p, ["line_item_unblended_cost", "bill_billing_period_start_date"]),
  read: (p) => {
    if (p.kind === "csv") return readCsvText(p);
    const maps = MAP_COLUMNS.filter((c) => p.types[c]?.startsWith("MAP"));
    const replace = maps.length ? ` REPLACE (${maps.map((c) => `to_json(${c}) AS ${c}`).join(", ")})` : "";
    return `SELECT *${replace} FROM read_parquet(${lit(p.readPath)}, hive_partitioning = false)`;
  },
  requiredColumns: [
    "bill_payer_account_id",
    "bill_billing_period_start_date",
    "line_item_usage_account_id",
    "line_item_line_item_type",
    "line_item_usage_start_date",
    "line_item_unblended_cost",
    "line_item_currency_code",
  ],
  billingAccount: () => "bill_payer_account_id::VARCHAR",
  billingPeriod: () => monthOf("bill_billing_period_start_date"),
  cost: () => "line_item_unblended_cost",
  // AWS fills the invoice id once the month's invoice is issued; until then it restates the month.
  finalWhen: (p) => (pick(p, "bill_invoice_id") ? "coalesce(bill_invoice_id::VARCHAR, '') <> ''" : "false"),
  currency: () => "line_item_currency_code",
  numericColumns: ["line_item_unblended_cost", "line_item_usage_amount"],
  dateColumns: ["line_item_usage_start_date", "bill_billing_period_start_date"],
};

const CUR_CATEGORY =
  /(identity|bill|lineItem|product|pricing|reservation|savingsPlan|discount|costCategory)\//g;

export const awsCurLegacy: SourceFormat = {
  id: "aws_cur_legacy",
  delivery: () => "restatement",
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
  billingAccount: () => ident("bill/PayerAccountId"),
  billingPeriod: () => monthOf(ident("bill/BillingPeriodStartDate")),
  cost: () => ident("lineItem/UnblendedCost"),
  finalWhen: (p) => (pick(p, "bill/InvoiceId") ? `coalesce(${ident("bill/InvoiceId")}, '') <> ''` : "false"),
  currency: (p) => col(p, "lineItem/CurrencyCode"),
  numericColumns: ["lineItem/UnblendedCost", "lineItem/UsageAmount"],
  dateColumns: ["lineItem/UsageStartDate", "bill/BillingPeriodStartDate"],
  // Some CUR writers fuse two names ("pricing/OfferingClasspricing/PurchaseOption"). When the
  // rows still have as many fields as the header (the reader checks), the data is aligned and
  // only that column's name is wrong: load, and say so.
  headerWarning: (p) => {
    const fused = p.columns.find((c) => (c.match(CUR_CATEGORY) ?? []).length > 1);
    return fused ? `header name "${fused}" is two column names fused together; kept as is` : undefined;
  },
};

export const awsCostExplorer: SourceFormat = {
  id: "aws_cost_explorer",
  delivery: () => "restatement",
  provider: "aws",
  description:
    "AWS Cost Explorer daily cost by account and service (written by costexplorer://), service level only",
  rawTable: "aws_cost_explorer_daily",
  detect: (p) =>
    p.kind === "csv" &&
    hasColumns(p, ["usage_date", "linked_account_id", "service", "unblended_cost", "amortized_cost"]),
  read: readCsvText,
  requiredColumns: ["usage_date", "linked_account_id", "service", "unblended_cost", "currency"],
  // Cost Explorer answers for the payer the credentials belong to; one key for all its rows.
  billingAccount: () => "'cost-explorer'",
  billingPeriod: () => monthOf("usage_date"),
  cost: () => "unblended_cost",
  currency: () => "currency",
  numericColumns: ["unblended_cost", "amortized_cost", "usage_quantity"],
  dateColumns: ["usage_date"],
};
