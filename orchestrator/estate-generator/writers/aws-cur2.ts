/**
 * AWS CUR 2.0 (Data Exports) as Parquet: data/BILLING_PERIOD=YYYY-MM/<name>-00001.snappy.parquet
 * plus metadata/BILLING_PERIOD=YYYY-MM/<name>-Manifest.json, snake_case columns,
 * product / resource_tags / cost_category / discount as MAP columns.
 */
import { lit } from "../../../core/sql.ts";
import path from "node:path";
import { copyTo, writeJson, type ExportWriter, monthBounds } from "./common.ts";

export const CUR2_EXPORT_NAME = "acme-cur2";

/** Shared CUR column expressions over `li`, in snake_case; the legacy writer renames them. */
export function curSelect(exportKind: string, month: string, openMonth: string): string {
  const { start, end } = monthBounds(month);
  const lineType = `CASE line_kind
      WHEN 'usage' THEN 'Usage'
      WHEN 'covered_usage' THEN CASE commitment_type WHEN 'savings_plan' THEN 'SavingsPlanCoveredUsage' ELSE 'DiscountedUsage' END
      WHEN 'commitment_fee' THEN CASE commitment_type WHEN 'savings_plan' THEN 'SavingsPlanRecurringFee' ELSE 'RIFee' END
      WHEN 'commitment_purchase' THEN 'Fee'
      WHEN 'credit' THEN 'Credit' WHEN 'refund' THEN 'Refund' WHEN 'tax' THEN 'Tax' END`;
  const regionPrefix = `CASE region WHEN 'us-east-1' THEN '' WHEN 'eu-west-1' THEN 'EU-' WHEN 'us-west-2' THEN 'USW2-' ELSE '' END`;
  const usageType = `CASE
      WHEN resource_kind = 'vm' THEN ${regionPrefix} || 'BoxUsage:' || size
      WHEN resource_kind = 'disk' THEN ${regionPrefix} || 'EBS:VolumeUsage.' || size
      WHEN resource_kind = 'snapshot' THEN ${regionPrefix} || 'EBS:SnapshotUsage'
      -- AWS bills a public IPv4 address in use and one idle (associated with nothing) apart.
      WHEN resource_kind = 'ip' THEN ${regionPrefix} || CASE WHEN attached_to IS NULL THEN 'PublicIPv4:IdleAddress' ELSE 'PublicIPv4:InUseAddress' END
      -- S3's usage types (https://docs.aws.amazon.com/AmazonS3/latest/userguide/aws-usage-report-understand.html).
      WHEN resource_kind = 'bucket' THEN ${regionPrefix} || CASE size WHEN 'standard_ia' THEN 'TimedStorage-SIA-ByteHrs'
        WHEN 'requests_tier1' THEN 'Requests-Tier1' WHEN 'requests_tier2' THEN 'Requests-Tier2' ELSE 'TimedStorage-ByteHrs' END
      WHEN resource_kind = 'egress' THEN ${regionPrefix} || 'DataTransfer-Out-Bytes'
      WHEN resource_kind = 'serverless' THEN ${regionPrefix} || 'Request'
      WHEN line_kind = 'commitment_fee' AND commitment_type = 'savings_plan' THEN 'ComputeSP:1yrNoUpfront'
      WHEN line_kind IN ('commitment_fee', 'commitment_purchase') THEN 'HeavyUsage:m6i.large'
      ELSE '' END`;
  const productCode = `CASE
      WHEN resource_kind IN ('vm', 'disk', 'snapshot', 'ip') THEN 'AmazonEC2'
      WHEN resource_kind = 'bucket' THEN 'AmazonS3'
      WHEN resource_kind = 'egress' THEN 'AWSDataTransfer'
      WHEN resource_kind = 'serverless' THEN 'AWSLambda'
      WHEN commitment_type = 'savings_plan' THEN 'ComputeSavingsPlans'
      WHEN line_kind IN ('commitment_fee', 'commitment_purchase') THEN 'AmazonEC2'
      ELSE 'AWSSupportBusiness' END`;
  const productName = `CASE ${productCode}
      WHEN 'AmazonEC2' THEN 'Amazon Elastic Compute Cloud' WHEN 'AmazonS3' THEN 'Amazon Simple Storage Service'
      WHEN 'AWSDataTransfer' THEN 'AWS Data Transfer' WHEN 'AWSLambda' THEN 'AWS Lambda'
      WHEN 'ComputeSavingsPlans' THEN 'Savings Plans for AWS Compute usage' ELSE 'AWS Support (Business)' END`;
  const isSp = `commitment_type = 'savings_plan'`;
  const isRi = `commitment_type = 'reserved_instance'`;
  // Covered Savings Plan usage keeps its on-demand cost; a SavingsPlanNegation line offsets it.
  const unblended = `CASE WHEN line_kind = 'covered_usage' AND ${isRi} THEN 0 ELSE list_cost END`;
  return `SELECT
      line_id AS identity_line_item_id,
      strftime(day, '%Y-%m-%dT00:00:00Z') || '/' || strftime(day + 1, '%Y-%m-%dT00:00:00Z') AS identity_time_interval,
      CASE WHEN billing_month = ${lit(openMonth)} THEN NULL ELSE '1' || substr(md5(billing_account_id || billing_month), 1, 9) END AS bill_invoice_id,
      'Amazon Web Services, Inc.' AS bill_invoicing_entity,
      'AWS' AS bill_billing_entity,
      'Anniversary' AS bill_bill_type,
      billing_account_id AS bill_payer_account_id,
      TIMESTAMP '${start} 00:00:00' AS bill_billing_period_start_date,
      TIMESTAMP '${end} 00:00:00' AS bill_billing_period_end_date,
      sub_account_id AS line_item_usage_account_id,
      sub_account_name AS line_item_usage_account_name,
      ${lineType} AS line_item_line_item_type,
      day::TIMESTAMP AS line_item_usage_start_date,
      (day + 1)::TIMESTAMP AS line_item_usage_end_date,
      ${productCode} AS line_item_product_code,
      ${usageType} AS line_item_usage_type,
      CASE resource_kind WHEN 'vm' THEN 'RunInstances' WHEN 'disk' THEN 'CreateVolume-' || upper(substr(size, 1, 1)) || substr(size, 2)
        WHEN 'snapshot' THEN 'CreateSnapshot' WHEN 'ip' THEN 'AssociateAddress'
        WHEN 'bucket' THEN CASE size WHEN 'standard_ia' THEN 'StandardIAStorage' WHEN 'requests_tier1' THEN 'PutObject'
          WHEN 'requests_tier2' THEN 'GetObject' ELSE 'StandardStorage' END
        WHEN 'serverless' THEN 'Invoke' ELSE '' END AS line_item_operation,
      CASE WHEN resource_kind IN ('vm', 'disk') THEN zone ELSE '' END AS line_item_availability_zone,
      CASE WHEN line_kind IN ('commitment_fee', 'commitment_purchase') THEN resource_id ELSE coalesce(resource_id, '') END AS line_item_resource_id,
      usage_amount::DOUBLE AS line_item_usage_amount,
      CASE WHEN resource_kind = 'vm' THEN vcpu / 2.0 END AS line_item_normalization_factor,
      CASE WHEN resource_kind = 'vm' THEN (usage_amount * vcpu / 2.0)::DOUBLE END AS line_item_normalized_usage_amount,
      currency AS line_item_currency_code,
      unit_price::DOUBLE AS line_item_unblended_rate,
      (${unblended})::DOUBLE AS line_item_unblended_cost,
      unit_price::DOUBLE AS line_item_blended_rate,
      (${unblended})::DOUBLE AS line_item_blended_cost,
      coalesce(description, CASE WHEN resource_kind = 'vm' THEN '$' || unit_price::DOUBLE || ' per On Demand Linux ' || size || ' Instance Hour'
        ELSE ${usageType} END) AS line_item_line_item_description,
      CASE WHEN line_kind = 'tax' THEN 'USSalesTax' ELSE '' END AS line_item_tax_type,
      'Amazon Web Services, Inc.' AS line_item_legal_entity,
      ${productName} AS product_product_name,
      -- AWS SKUs are opaque 16-character codes, one per product, usage type and region.
      CASE WHEN ${usageType} <> '' THEN upper(substr(md5(${productCode} || ${usageType} || region), 1, 16)) END AS product_sku,
      CASE region WHEN 'us-east-1' THEN 'US East (N. Virginia)' WHEN 'eu-west-1' THEN 'EU (Ireland)'
        WHEN 'us-west-2' THEN 'US West (Oregon)' END AS product_location,
      CASE WHEN resource_kind = 'vm' THEN size END AS product_instance_type,
      CASE WHEN resource_kind = 'vm' THEN split_part(size, '.', 1) END AS product_instance_type_family,
      region AS product_region_code,
      ${productCode} AS product_servicecode,
      CASE resource_kind WHEN 'vm' THEN 'Compute Instance' WHEN 'disk' THEN 'Storage' WHEN 'snapshot' THEN 'Storage Snapshot'
        WHEN 'ip' THEN 'IP Address'
        WHEN 'bucket' THEN CASE WHEN size LIKE 'requests%' THEN 'API Request' ELSE 'Storage' END WHEN 'egress' THEN 'Data Transfer' ELSE NULL END AS product_product_family,
      CASE WHEN resource_kind = 'disk' THEN size END AS product_volume_api_name,
      list_cost::DOUBLE AS pricing_public_on_demand_cost,
      unit_price::DOUBLE AS pricing_public_on_demand_rate,
      CASE WHEN line_kind = 'covered_usage' THEN 'Reserved' WHEN line_kind = 'usage' THEN 'OnDemand' ELSE '' END AS pricing_term,
      unit AS pricing_unit,
      CASE WHEN ${isRi} THEN commitment_id ELSE NULL END AS reservation_reservation_a_r_n,
      CASE WHEN line_kind = 'covered_usage' AND ${isRi} THEN effective_cost::DOUBLE ELSE 0 END AS reservation_effective_cost,
      CASE WHEN line_kind = 'commitment_fee' AND ${isRi} THEN (list_cost - effective_cost)::DOUBLE ELSE 0 END AS reservation_recurring_fee_for_usage,
      CASE WHEN line_kind = 'commitment_fee' AND ${isRi} THEN effective_cost::DOUBLE ELSE 0 END AS reservation_unused_recurring_fee,
      CASE WHEN ${isRi} THEN ${termEdge("start")} END AS reservation_start_time,
      CASE WHEN ${isRi} THEN ${termEdge("end")} END AS reservation_end_time,
      CASE WHEN ${isSp} THEN commitment_id ELSE NULL END AS savings_plan_savings_plan_arn,
      CASE WHEN ${isSp} THEN ${termEdge("start")} END AS savings_plan_start_time,
      CASE WHEN ${isSp} THEN ${termEdge("end")} END AS savings_plan_end_time,
      CASE WHEN line_kind = 'covered_usage' AND ${isSp} THEN effective_cost::DOUBLE ELSE 0 END AS savings_plan_savings_plan_effective_cost,
      CASE WHEN line_kind = 'covered_usage' AND ${isSp} THEN commitment_rate::DOUBLE ELSE 0 END AS savings_plan_savings_plan_rate,
      CASE WHEN line_kind = 'commitment_fee' AND ${isSp} THEN list_cost::DOUBLE ELSE 0 END AS savings_plan_total_commitment_to_date,
      CASE WHEN line_kind = 'commitment_fee' AND ${isSp} THEN (list_cost - effective_cost)::DOUBLE ELSE 0 END AS savings_plan_used_commitment,
      CASE WHEN line_kind = 'commitment_fee' AND ${isSp} THEN list_cost::DOUBLE ELSE 0 END AS savings_plan_recurring_commitment_for_billing_period,
      tags
    FROM li WHERE export = ${lit(exportKind)} AND billing_month = ${lit(month)}`;
}

/** A commitment's term start or end as CUR writes it (ISO 8601, UTC). */
function termEdge(edge: "start" | "end"): string {
  const day = edge === "start" ? "c.start_date" : "c.start_date + to_months(c.term_months)";
  return `(SELECT strftime(${day}, '%Y-%m-%dT%H:%M:%SZ') FROM commitments c WHERE c.commitment_id = li.commitment_id)`;
}

/** The negation lines that offset Savings Plan covered usage (same shape as curSelect). */
export function withSpNegation(select: string): string {
  return `WITH base AS (${select})
    SELECT * FROM base
    UNION ALL
    SELECT * REPLACE (
      identity_line_item_id || '-neg' AS identity_line_item_id,
      'SavingsPlanNegation' AS line_item_line_item_type,
      -line_item_unblended_cost AS line_item_unblended_cost,
      -line_item_blended_cost AS line_item_blended_cost,
      'SavingsPlanNegation used by AccountId : ' || line_item_usage_account_id AS line_item_line_item_description,
      0 AS savings_plan_savings_plan_effective_cost)
    FROM base WHERE line_item_line_item_type = 'SavingsPlanCoveredUsage'`;
}

/**
 * CUR 2.0 spells a tag key in snake case, user tags prefixed user_ (user:cost-center ->
 * user_cost_center), AWS-generated ones without (aws:autoscaling:groupName ->
 * aws_autoscaling_group_name).
 */
const CUR2_TAG_KEY = `CASE WHEN k LIKE 'aws:%' THEN '' ELSE 'user_' END
  || lower(regexp_replace(regexp_replace(k, '([a-z0-9])([A-Z])', '\\1_\\2', 'g'), '[^A-Za-z0-9]+', '_', 'g'))`;

export const writeAwsCur2: ExportWriter = async (ctx) => {
  const files: string[] = [];
  const root = path.join("aws", "cur2", CUR2_EXPORT_NAME);
  for (const month of ctx.months) {
    const select = withSpNegation(curSelect("aws_cur2", month, ctx.openMonth));
    // CUR 2.0 has no product_product_name column: the name lives in the product map.
    const query = `SELECT * EXCLUDE (tags, product_product_name),
        map_from_entries([{'key': 'product_name', 'value': product_product_name}, {'key': 'region', 'value': product_region_code}]) AS product,
        map_from_entries(list_transform(json_keys(tags), k -> {'key': ${CUR2_TAG_KEY}, 'value': tags ->> k})) AS resource_tags,
        MAP {}::MAP(VARCHAR, VARCHAR) AS cost_category,
        MAP {}::MAP(VARCHAR, DOUBLE) AS discount
      FROM (${select}) ORDER BY line_item_usage_start_date, identity_line_item_id`;
    const file = path.join(
      root,
      "data",
      `BILLING_PERIOD=${month}`,
      `${CUR2_EXPORT_NAME}-00001.snappy.parquet`,
    );
    files.push(await copyTo(ctx, query, file, "FORMAT parquet, COMPRESSION snappy"));
    const { start, end } = monthBounds(month);
    const manifest = {
      reportName: CUR2_EXPORT_NAME,
      exportArn: `arn:aws:bcm-data-exports:us-east-1:000000000000:export/${CUR2_EXPORT_NAME}`,
      billingPeriod: { start: `${start}T00:00:00.000Z`, end: `${end}T00:00:00.000Z` },
      dataFiles: [`${root}/data/BILLING_PERIOD=${month}/${CUR2_EXPORT_NAME}-00001.snappy.parquet`],
      format: "PARQUET",
      compression: "SNAPPY",
    };
    files.push(
      writeJson(
        ctx,
        path.join(root, "metadata", `BILLING_PERIOD=${month}`, `${CUR2_EXPORT_NAME}-Manifest.json`),
        manifest,
      ),
    );
  }
  return files;
};
