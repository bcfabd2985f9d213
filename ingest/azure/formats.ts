/** Azure Cost Management cost details exports (MCA camelCase), actual and amortized. */
import { hasColumns, readCsvText, type SourceFormat } from "../format.ts";

const mca = (kind: "actual" | "amortized"): SourceFormat => ({
  id: `azure_mca_${kind}`,
  provider: "azure",
  description: `Azure cost details, Microsoft Customer Agreement, ${kind} cost, CSV`,
  rawTable: `azure_mca_${kind}_cost_lines`,
  // Actual and amortized exports share their columns: the file name tells them apart,
  // as Cost Management names exports after their dataset.
  detect: (p) =>
    p.kind === "csv" &&
    hasColumns(p, ["costInBillingCurrency", "billingPeriodStartDate", "chargeType", "billingCurrency"]) &&
    (kind === "amortized") === /amortized/.test(p.name),
  read: readCsvText,
  requiredColumns: [
    "billingAccountId",
    "billingPeriodStartDate",
    "date",
    "subscriptionId",
    "chargeType",
    "costInBillingCurrency",
    "billingCurrency",
  ],
  billingAccount: "billingAccountId",
  // MCA exports write dates as MM/DD/YYYY.
  billingPeriod: "strftime(strptime(billingPeriodStartDate, '%m/%d/%Y'), '%Y-%m')",
  cost: "costInBillingCurrency",
  currency: "billingCurrency",
  numericColumns: ["costInBillingCurrency", "quantity"],
});

export const azureMcaActual = mca("actual");
export const azureMcaAmortized = mca("amortized");
