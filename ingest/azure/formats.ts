/**
 * Azure Cost Management cost details exports in every schema Microsoft has
 * shipped (EA, EA v2, MCA camelCase, pay-as-you-go / legacy, localized headers),
 * actual and amortized. DuckDB resolves column names case-insensitively, so the
 * schemas share one raw table per dataset; staging picks the columns each has.
 */
import { lit } from "../../core/sql.ts";
import { col, hasColumns, monthOf, pick, readCsvText, type SourceFormat } from "../format.ts";

export const AZURE_COST = ["costInBillingCurrency", "Cost", "PreTaxCost"];
export const AZURE_CURRENCY = ["billingCurrency", "BillingCurrencyCode", "Currency"];
export const AZURE_DATE = ["date", "UsageDateTime"];
const ACCOUNT = ["billingAccountId", "SubscriptionGuid", "subscriptionId"];
const SERVICE = ["meterCategory", "consumedService", "MeterSubcategory"];

const costDetails = (dataset: "actual" | "amortized"): SourceFormat => ({
  id: `azure_${dataset}`,
  provider: "azure",
  description: `Azure cost details, ${dataset} cost (EA, MCA, pay-as-you-go; CSV or Parquet)`,
  rawTable: `azure_${dataset}_cost_lines`,
  // Azure's scheduled exports rewrite the month to date at each run.
  delivery: () => "restatement",
  // Actual and amortized exports share their columns: the file name tells them apart,
  // as Cost Management names exports after their dataset (override with --format).
  detect: (p) =>
    (p.kind === "csv" || p.kind === "parquet") &&
    hasColumns(p, [AZURE_COST, AZURE_DATE, SERVICE]) &&
    (dataset === "amortized") === /amortized/.test(p.name),
  read: (p) =>
    p.kind === "parquet"
      ? `SELECT * FROM read_parquet(${lit(p.readPath)}, hive_partitioning = false)`
      : readCsvText(p),
  requiredColumns: [AZURE_COST, AZURE_CURRENCY, AZURE_DATE, ACCOUNT],
  billingAccount: (p) => col(p, ...ACCOUNT),
  billingPeriod: (p) => monthOf(`coalesce(${col(p, "billingPeriodStartDate")}, ${col(p, ...AZURE_DATE)})`),
  cost: (p) => col(p, ...AZURE_COST),
  // MCA exports carry the invoice id once the billing period is invoiced; EA and PAYG cannot tell.
  finalWhen: (p) => (pick(p, "invoiceId") ? `coalesce(${col(p, "invoiceId")}, '') <> ''` : undefined),
  currency: (p) => col(p, ...AZURE_CURRENCY),
  numericColumns: [...AZURE_COST, "quantity", "UsageQuantity"],
  dateColumns: [...AZURE_DATE, "billingPeriodStartDate"],
});

export const azureActual = costDetails("actual");
export const azureAmortized = costDetails("amortized");

export const azureCostManagement: SourceFormat = {
  id: "azure_cost_management",
  provider: "azure",
  description:
    "Azure Cost Management Query daily cost by subscription and service (written by azurecost://), service level only",
  rawTable: "azure_cost_management_daily",
  delivery: () => "restatement",
  detect: (p) =>
    (p.kind === "csv" || p.kind === "parquet") &&
    hasColumns(p, ["usage_date", "subscription_id", "service_name", "actual_cost", "amortized_cost"]),
  read: readCsvText,
  requiredColumns: ["usage_date", "subscription_id", "service_name", "actual_cost", "currency", "scope"],
  billingAccount: () => "scope",
  billingPeriod: () => monthOf("usage_date"),
  cost: () => "actual_cost",
  currency: () => "currency",
  numericColumns: ["actual_cost", "amortized_cost"],
  dateColumns: ["usage_date"],
};
