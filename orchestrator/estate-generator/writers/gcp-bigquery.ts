/**
 * GCP Cloud Billing standard export rows as `bq extract --destination_format
 * NEWLINE_DELIMITED_JSON` writes them: nested service, sku, project, location,
 * usage, invoice and resource records, labels and credits as arrays, timestamps
 * as "YYYY-MM-DD HH:MM:SS UTC".
 */
import { lit } from "../../../core/sql.ts";
import path from "node:path";
import { copyTo, type ExportWriter } from "./common.ts";

export const GCP_EXPORT_TABLE = "gcp_billing_export_resource_v1_ACME";

export const writeGcpBigQuery: ExportWriter = async (ctx) => {
  const files: string[] = [];
  const ts = (expr: string) => `strftime(${expr}, '%Y-%m-%d %H:%M:%S UTC')`;
  for (const month of ctx.months) {
    const serviceId = `CASE WHEN resource_kind IN ('vm', 'disk', 'snapshot', 'ip', 'commitment', 'egress') THEN '6F81-5844-456A'
        WHEN resource_kind = 'bucket' THEN '95FF-2EF5-5EA1' WHEN resource_kind = 'analytics' THEN '24E6-581D-38E5'
        WHEN line_kind = 'tax' THEN '' ELSE '6F81-5844-456A' END`;
    const serviceName = `CASE WHEN resource_kind IN ('vm', 'disk', 'snapshot', 'ip', 'commitment', 'egress') THEN 'Compute Engine'
        WHEN resource_kind = 'bucket' THEN 'Cloud Storage' WHEN resource_kind = 'analytics' THEN 'BigQuery'
        WHEN line_kind = 'tax' THEN 'Invoice' ELSE 'Compute Engine' END`;
    const skuDescription = `CASE
        WHEN resource_kind = 'vm' THEN upper(split_part(size, '-', 1)) || ' Instance Core running in ' || CASE WHEN region LIKE 'us-%' THEN 'Americas' ELSE 'EMEA' END
        WHEN resource_kind = 'disk' THEN 'Balanced PD Capacity'
        WHEN resource_kind = 'snapshot' THEN 'Storage PD Snapshot'
        -- An address in use bills as an external IP of its VM; a reserved one used by nothing as a static IP.
        WHEN resource_kind = 'ip' THEN CASE WHEN attached_to IS NULL THEN 'Static Ip Charge' ELSE 'External IP Charge on a Standard VM' END
        WHEN resource_kind = 'bucket' THEN 'Standard Storage ' || CASE WHEN region LIKE 'us-%' THEN 'US Regional' ELSE 'Europe' END
        WHEN resource_kind = 'egress' THEN 'Network Internet Egress from Americas to Americas'
        WHEN resource_kind = 'analytics' THEN 'Analysis'
        WHEN resource_kind = 'commitment' THEN 'Commitment v1: Cpu and Ram in Americas for 1 Year'
        WHEN line_kind = 'tax' THEN 'Tax' ELSE '' END`;
    const unit = `CASE unit WHEN 'Hrs' THEN 'seconds' WHEN 'GB-Mo' THEN 'byte-seconds' WHEN 'GB' THEN 'bytes' WHEN 'TiB' THEN 'bytes' ELSE unit END`;
    const pricingUnit = `CASE unit WHEN 'Hrs' THEN 'hour' WHEN 'GB-Mo' THEN 'gibibyte month' WHEN 'GB' THEN 'gibibyte' WHEN 'TiB' THEN 'tebibyte' ELSE unit END`;
    const amount = `CASE unit WHEN 'Hrs' THEN usage_amount * 3600 WHEN 'GB-Mo' THEN usage_amount * 1073741824 * 3600 * 24 * day(last_day(day))
        WHEN 'GB' THEN usage_amount * 1073741824 WHEN 'TiB' THEN usage_amount * 1099511627776 ELSE usage_amount END`;
    // CUD-covered usage is billed at list price and offset by a credit; the commitment fee is billed separately.
    const credits = `CASE WHEN line_kind = 'covered_usage' THEN [{
        'name': 'Committed use discount: Cpu and Ram', 'amount': (-list_cost)::DOUBLE,
        'full_name': NULL::VARCHAR, 'id': commitment_id, 'type': 'COMMITTED_USAGE_DISCOUNT'}]
      ELSE []::STRUCT(name VARCHAR, amount DOUBLE, full_name VARCHAR, id VARCHAR, type VARCHAR)[] END`;
    const query = `SELECT
        billing_account_id,
        {'id': ${serviceId}, 'description': ${serviceName}} AS service,
        {'id': upper(substr(md5(${skuDescription}), 1, 4) || '-' || substr(md5(${skuDescription}), 5, 4) || '-' || substr(md5(${skuDescription}), 9, 4)),
         'description': ${skuDescription}} AS sku,
        ${ts("day::TIMESTAMP")} AS usage_start_time,
        ${ts("(day + 1)::TIMESTAMP")} AS usage_end_time,
        {'id': sub_account_id, 'name': sub_account_name, 'labels': []::STRUCT(key VARCHAR, value VARCHAR)[],
         'ancestry_numbers': '/1234567/' || abs(hash(sub_account_id) % 1000000000000) || '/'} AS project,
        list_transform(json_keys(tags), k -> {'key': k, 'value': tags ->> k}) AS labels,
        -- The machine type is a system label (the SKU names only the family), as GCP writes it.
        CASE WHEN resource_kind = 'vm' THEN [{'key': 'compute.googleapis.com/machine_spec', 'value': size},
            {'key': 'compute.googleapis.com/cores', 'value': vcpu::VARCHAR}]
          ELSE []::STRUCT(key VARCHAR, value VARCHAR)[] END AS system_labels,
        {'location': coalesce(zone, region), 'country': CASE WHEN region LIKE 'us-%' THEN 'US' ELSE 'BE' END,
         'region': CASE WHEN region = 'global' THEN NULL ELSE region END, 'zone': zone} AS location,
        ${ts(`(day + 1)::TIMESTAMP + INTERVAL 3 HOUR`)} AS export_time,
        list_cost::DOUBLE AS cost,
        currency,
        1.0 AS currency_conversion_rate,
        {'amount': (${amount})::DOUBLE, 'unit': ${unit}, 'amount_in_pricing_units': usage_amount::DOUBLE, 'pricing_unit': ${pricingUnit}} AS usage,
        ${credits} AS credits,
        {'month': replace(billing_month, '-', '')} AS invoice,
        CASE line_kind WHEN 'tax' THEN 'tax' ELSE 'regular' END AS cost_type,
        {'name': CASE WHEN resource_kind IN ('vm', 'disk', 'snapshot', 'ip', 'bucket') THEN split_part(resource_id, '/', -1) END,
         'global_name': CASE WHEN resource_kind IN ('vm', 'disk', 'snapshot', 'ip', 'bucket') THEN resource_id END} AS resource
      FROM li WHERE export = 'gcp_bq' AND billing_month = ${lit(month)}
      ORDER BY day, sub_account_id, line_kind, resource_id, size`;
    const file = path.join(
      "gcp",
      "bigquery-export",
      `invoice_month=${month.replace("-", "")}`,
      `${GCP_EXPORT_TABLE}-000000000000.json`,
    );
    files.push(await copyTo(ctx, query, file, "FORMAT json"));
  }
  return files;
};
