/** FOCUS exports (0.5-1.2), from any provider that writes them. */
import { ident, lit } from "../../core/sql.ts";
import { col, hasColumns, monthOf, pick, readCsvText, type SourceFormat } from "../format.ts";

/** A file inside a day folder: …/YYYY/MM/DD/<file>. */
const DAY_FOLDER = /[\\/]\d{4}[\\/]\d{2}[\\/]\d{2}[\\/][^\\/]+$/;

/** FOCUS 0.5 names and their 1.0+ successors; a file with both keeps the new one. */
export const PRE_1_0_NAMES: Record<string, string> = {
  ChargeType: "ChargeCategory",
  Provider: "ProviderName",
  Publisher: "PublisherName",
  InvoiceIssuer: "InvoiceIssuerName",
  ResourceID: "ResourceId",
  Region: "RegionId",
  AmortizedCost: "EffectiveCost",
  UsageQuantity: "ConsumedQuantity",
  UsageUnit: "ConsumedUnit",
};

/** Pre-1.0 columns renamed to their 1.0 names, unless the file also has the new name. */
function renamed(p: { columns: string[] }): string {
  const have = new Set(p.columns.map((c) => c.toLowerCase()));
  const renames = p.columns
    .filter((c) => PRE_1_0_NAMES[c] && !have.has(PRE_1_0_NAMES[c]!.toLowerCase()))
    .map((c) => `${ident(c)} AS ${PRE_1_0_NAMES[c]}`);
  return renames.length ? `SELECT * RENAME (${renames.join(", ")}) FROM` : "SELECT * FROM";
}

export const focusExport: SourceFormat = {
  id: "focus",
  // FOCUS 1.3 adds datasets beside cost and usage; a Contract Commitment file has no charges.
  refuse: (p) =>
    hasColumns(p, ["ContractCommitmentId"]) && !hasColumns(p, ["ChargeCategory"])
      ? "a FOCUS Contract Commitment dataset (commitment terms, not cost and usage rows): nothing to bill, not loaded"
      : undefined,
  // OCI delivers FOCUS reports as daily files (FOCUS Reports/YYYY/MM/DD/…): slices of the month.
  // Elsewhere a FOCUS file is a whole period (AWS and Azure exports also come with manifests).
  delivery: (p) => (DAY_FOLDER.test(p.path) ? "slice" : "restatement"),
  provider: "focus",
  description: "FOCUS 0.5-1.2 cost and usage export, CSV or Parquet (pre-1.0 names mapped)",
  rawTable: "focus_cost_lines",
  detect: (p) =>
    (p.kind === "csv" || p.kind === "parquet") &&
    hasColumns(p, ["BilledCost", "BillingPeriodStart", "ChargePeriodStart"]),
  read: (p) =>
    p.kind === "parquet"
      ? `${renamed(p)} read_parquet(${lit(p.readPath)}, hive_partitioning = false)`
      : `${renamed(p)} (${readCsvText(p)})`,
  requiredColumns: [
    "BilledCost",
    "BillingPeriodStart",
    "ChargePeriodStart",
    ["ChargeCategory", "ChargeType"],
  ],
  // Partial files (the spec's examples) may lack the account or currency: they land, keyed by ''.
  billingAccount: (p) => `coalesce(${col(p, "BillingAccountId")}, '')`,
  billingPeriod: () => monthOf("BillingPeriodStart"),
  cost: () => "BilledCost",
  finalWhen: (p) =>
    pick(p, "InvoiceId") ? `coalesce(${col(p, "InvoiceId")}::VARCHAR, '') <> ''` : undefined,
  currency: (p) => `coalesce(${col(p, "BillingCurrency")}, '')`,
  numericColumns: ["BilledCost", "EffectiveCost", "ListCost", "ContractedCost"],
  dateColumns: ["ChargePeriodStart", "ChargePeriodEnd", "BillingPeriodStart"],
};
