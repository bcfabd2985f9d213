/**
 * GCP Cloud Billing: the BigQuery export (standard or resource-level) as NDJSON
 * from `bq extract` or as CSV with dotted names, which lands in the same raw
 * table; and the retired file exports (CSV and JSON array).
 */
import { ident, lit } from "../../core/sql.ts";
import { col, type FileProbe, hasColumns, monthOf, readCsvText, type SourceFormat } from "../format.ts";

/** Scalars land as text (exact), nested records as JSON, as `bq extract` wrote them. */
const JSON_COLUMNS = {
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
  tags: "JSON",
  price: "JSON",
  cost_at_list: "VARCHAR",
  transaction_type: "VARCHAR",
  seller_name: "VARCHAR",
  adjustment_info: "JSON",
};

const shared = {
  provider: "gcp",
  rawTable: "gcp_billing_export_lines",
  // Extracted (or fetched) whole invoice months at a time.
  delivery: () => "restatement",
  requiredColumns: [
    "billing_account_id",
    "usage_start_time",
    "cost",
    "currency",
    ["invoice", "invoice.month"],
  ],
  billingAccount: () => "billing_account_id",
  billingPeriod: () => "substr(invoice ->> 'month', 1, 4) || '-' || substr(invoice ->> 'month', 5, 2)",
  cost: () => "cost",
  currency: () => "currency",
  numericColumns: ["cost"],
  dateColumns: ["usage_start_time"],
} satisfies Partial<SourceFormat>;

export const gcpBigQueryJson: SourceFormat = {
  ...shared,
  id: "gcp_bq_json",
  description:
    "GCP BigQuery billing export (standard or resource-level) as NDJSON from bq extract, or as JSON objects one after another",
  detect: (p) =>
    p.kind === "ndjson" && hasColumns(p, ["billing_account_id", "cost", "currency", "usage_start_time"]),
  read: (p) => {
    const spec = Object.entries(JSON_COLUMNS)
      .filter(([name]) => p.columns.includes(name))
      .map(([name, type]) => `${name}: '${type}'`)
      .join(", ");
    return `SELECT * FROM read_json(${lit(p.readPath)}, format = '${p.jsonLayout ?? "newline_delimited"}', columns = {${spec}})`;
  },
};

export const gcpBigQueryParquet: SourceFormat = {
  ...shared,
  id: "gcp_bq_parquet",
  description: "GCP BigQuery billing export extracted as Parquet (nested records landed as JSON)",
  detect: (p) =>
    p.kind === "parquet" &&
    hasColumns(p, ["billing_account_id", "cost", "currency", "usage_start_time", "invoice"]),
  read: (p) => {
    // Records and repeated fields land as JSON, scalars as text: the same columns as the NDJSON extract.
    const columns = Object.keys(JSON_COLUMNS)
      .filter((name) => p.columns.includes(name))
      .map((name) =>
        JSON_COLUMNS[name as keyof typeof JSON_COLUMNS] === "JSON"
          ? `to_json(${name}) AS ${name}`
          : `${name}::VARCHAR AS ${name}`,
      );
    return `SELECT ${columns.join(", ")} FROM read_parquet(${lit(p.readPath)}, hive_partitioning = false)`;
  },
};

/** The export's RECORD fields (objects) and REPEATED ones (lists), as the NDJSON extract nests them. */
const RECORDS = [
  "service",
  "sku",
  "project",
  "location",
  "usage",
  "invoice",
  "resource",
  "price",
  "adjustment_info",
];
const LISTS = ["labels", "system_labels", "credits", "tags"];
const SCALARS = [
  "billing_account_id",
  "usage_start_time",
  "usage_end_time",
  "export_time",
  "cost",
  "currency",
  "currency_conversion_rate",
  "cost_type",
  "cost_at_list",
  "transaction_type",
  "seller_name",
];

/** A record rebuilt from its sub-field columns (`service.description`, or `service_description`). */
function rebuilt(p: { columns: string[] }, prefix: string, separator: "." | "_"): string | undefined {
  const scalars = new Set(SCALARS);
  const sub = p.columns.filter((c) => c.startsWith(`${prefix}${separator}`) && !scalars.has(c));
  if (!sub.length) return undefined;
  return `json_object(${sub.map((f) => `'${f.slice(prefix.length + 1)}', ${ident(f)}`).join(", ")})`;
}

/**
 * Lists in CSVs saved from BigQuery's console are Python reprs ([{'key': 'x', ...}]); tools that
 * flatten the export to CSV write them as JSON. A list that does not parse fails the load (a
 * credit silently lost is money lost).
 */
function list(column: string, pythonRepr: boolean): string {
  const raw = ident(column);
  const text = pythonRepr
    ? `replace(replace(replace(replace(${raw}, '''', '"'), 'None', 'null'), 'True', 'true'), 'False', 'false')`
    : raw;
  return `CASE WHEN nullif(trim(${raw}), '') IS NULL THEN NULL ELSE (${text})::JSON END AS ${raw}`;
}

/**
 * The export saved as CSV: records as dotted columns (`service.description`, the console's
 * download), or flattened by a tool (`service_description`, with each record also as a JSON
 * string column `service`, and lists such as `credits` as JSON). Either way the rows land as the
 * NDJSON extract's: scalars as text, records and lists as JSON. Where a record's JSON column is
 * there it is the authority (flattened sub-columns carry only a list's first item).
 */
function readBigQueryCsv(p: FileProbe): string {
  const dotted = p.columns.some((c) => c.includes("."));
  const has = (c: string) => p.columns.includes(c);
  const records = RECORDS.flatMap((r) => {
    const fromFields = rebuilt(p, r, dotted ? "." : "_");
    if (has(r)) return [`coalesce((nullif(trim(${ident(r)}), ''))::JSON, ${fromFields ?? "NULL"}) AS ${r}`];
    return fromFields ? [`${fromFields} AS ${r}`] : [];
  });
  const lists = LISTS.filter(has).map((c) => list(c, dotted));
  const scalars = SCALARS.filter(has).map((c) => ident(c));
  return `SELECT ${[...scalars, ...records, ...lists].join(", ")} FROM (${readCsvText(p)})`;
}

export const gcpBigQueryCsv: SourceFormat = {
  ...shared,
  id: "gcp_bq_csv",
  description:
    "GCP BigQuery billing export saved as CSV: dotted names (service.description) or flattened (service_description; records as JSON)",
  requiredColumns: [
    "billing_account_id",
    "usage_start_time",
    "cost",
    "currency",
    ["invoice", "invoice.month", "invoice_month"],
  ],
  detect: (p) =>
    p.kind === "csv" &&
    hasColumns(p, [
      "billing_account_id",
      "cost",
      "currency",
      "usage_start_time",
      ["invoice.month", "invoice_month", "invoice"],
    ]),
  read: readBigQueryCsv,
};

export const gcpFileExportCsv: SourceFormat = {
  id: "gcp_file_export_csv",
  delivery: () => "slice",
  provider: "gcp",
  description: "GCP billing file export (retired 2019), CSV: Account ID, Line Item, Cost, Currency …",
  rawTable: "gcp_file_export_csv_lines",
  detect: (p) =>
    p.kind === "csv" && hasColumns(p, ["Account ID", "Line Item", "Start Time", "Cost", "Currency"]),
  read: readCsvText,
  requiredColumns: ["Account ID", "Line Item", "Start Time", "Cost", "Currency"],
  billingAccount: () => ident("Account ID"),
  billingPeriod: () => monthOf(ident("Start Time")),
  cost: () => ident("Cost"),
  currency: (p) => col(p, "Currency"),
  numericColumns: ["Cost", "Credit1 Amount"],
  dateColumns: ["Start Time"],
};

export const gcpFileExportJson: SourceFormat = {
  id: "gcp_file_export_json",
  delivery: () => "slice",
  provider: "gcp",
  description: "GCP billing file export (retired 2019), JSON array of line items with nested cost",
  rawTable: "gcp_file_export_json_lines",
  detect: (p) => p.kind === "json" && hasColumns(p, ["lineItemId", "startTime", "cost"]),
  read: (p) => `SELECT * EXCLUDE (cost), cost.amount::VARCHAR AS cost_amount, cost.currency AS cost_currency
    FROM read_json(${lit(p.readPath)}, format = 'array')`,
  requiredColumns: ["lineItemId", "startTime", "cost"],
  // The file export carries no billing account id: the project number stands in.
  billingAccount: () => "projectNumber::VARCHAR",
  billingPeriod: () => monthOf("startTime"),
  cost: () => "cost_amount",
  currency: () => "cost_currency",
  numericColumns: ["cost_amount"],
  dateColumns: ["startTime"],
};
