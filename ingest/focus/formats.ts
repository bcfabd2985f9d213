/** FOCUS exports (1.0-1.2), from any provider that writes them. */
import { hasColumns, readCsvText, type SourceFormat, sqlPath } from "../format.ts";

export const focusExport: SourceFormat = {
  id: "focus",
  provider: "focus",
  description: "FOCUS 1.0-1.2 cost and usage export, CSV or Parquet",
  rawTable: "focus_cost_lines",
  detect: (p) =>
    (p.kind === "csv" || p.kind === "parquet") &&
    hasColumns(p, ["BilledCost", "BillingPeriodStart", "ChargePeriodStart"]),
  read: (p) =>
    p.kind === "parquet"
      ? `SELECT * FROM read_parquet(${sqlPath(p.path)}, hive_partitioning = false)`
      : readCsvText(p),
  requiredColumns: [
    "BilledCost",
    "BillingAccountId",
    "BillingCurrency",
    "BillingPeriodStart",
    "ChargePeriodStart",
    "ChargeCategory",
  ],
  billingAccount: "BillingAccountId",
  billingPeriod: "substr(BillingPeriodStart::VARCHAR, 1, 7)",
  cost: "BilledCost",
  currency: "BillingCurrency",
  numericColumns: ["BilledCost", "EffectiveCost", "ListCost"],
};
