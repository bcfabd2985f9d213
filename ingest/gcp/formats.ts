/** GCP Cloud Billing export to BigQuery, extracted as newline-delimited JSON. */
import { hasColumns, type SourceFormat, sqlPath } from "../format.ts";

/** Scalars land as text (exact), nested records as JSON, as `bq extract` wrote them. */
const COLUMNS = {
  billing_account_id: "VARCHAR",
  service: "JSON",
  sku: "JSON",
  usage_start_time: "VARCHAR",
  usage_end_time: "VARCHAR",
  project: "JSON",
  labels: "JSON",
  system_labels: "JSON",
  location: "JSON",
  export_time: "VARCHAR",
  cost: "VARCHAR",
  currency: "VARCHAR",
  currency_conversion_rate: "VARCHAR",
  usage: "JSON",
  credits: "JSON",
  invoice: "JSON",
  cost_type: "VARCHAR",
  resource: "JSON",
};

export const gcpBigQueryJson: SourceFormat = {
  id: "gcp_bq_json",
  provider: "gcp",
  description: "GCP BigQuery billing export (standard or resource-level) as NDJSON from bq extract",
  rawTable: "gcp_billing_export_lines",
  detect: (p) =>
    p.kind === "ndjson" && hasColumns(p, ["billing_account_id", "cost", "currency", "usage_start_time"]),
  read: (p) => {
    const spec = Object.entries(COLUMNS)
      .filter(([name]) => p.columns.includes(name))
      .map(([name, type]) => `${name}: '${type}'`)
      .join(", ");
    return `SELECT * FROM read_json(${sqlPath(p.path)}, format = 'newline_delimited', columns = {${spec}})`;
  },
  requiredColumns: [
    "billing_account_id",
    "service",
    "sku",
    "usage_start_time",
    "cost",
    "currency",
    "invoice",
  ],
  billingAccount: "billing_account_id",
  billingPeriod: "substr(invoice ->> 'month', 1, 4) || '-' || substr(invoice ->> 'month', 5, 2)",
  cost: "cost",
  currency: "currency",
  numericColumns: ["cost"],
};
