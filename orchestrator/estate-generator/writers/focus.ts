/**
 * The estate's Oracle Cloud tenancy, which delivers FOCUS 1.2 natively, as OCI writes its FOCUS
 * reports: one gzip CSV per day under FOCUS Reports/YYYY/MM/DD/ (slices of the month, not
 * restatements), OCI's own oci_ columns after the FOCUS ones, and no invoice id until the month
 * is invoiced.
 */
import { lit } from "../../../core/sql.ts";
import path from "node:path";
import { copyTo, type ExportWriter, monthBounds } from "./common.ts";

export const writeFocus: ExportWriter = async (ctx) => {
  const files: string[] = [];
  const iso = (expr: string) => `strftime(${expr}, '%Y-%m-%dT%H:%M:%SZ')`;
  for (const month of ctx.months) {
    const { start, end } = monthBounds(month);
    const category = `CASE line_kind WHEN 'tax' THEN 'Tax' WHEN 'credit' THEN 'Credit' WHEN 'refund' THEN 'Adjustment'
        WHEN 'commitment_purchase' THEN 'Purchase' ELSE 'Usage' END`;
    const serviceName = `CASE resource_kind WHEN 'vm' THEN 'Compute' WHEN 'disk' THEN 'Block Storage' WHEN 'snapshot' THEN 'Block Storage'
        WHEN 'ip' THEN 'Networking' WHEN 'bucket' THEN 'Object Storage' WHEN 'egress' THEN 'Networking' WHEN 'serverless' THEN 'Functions'
        ELSE 'Compute' END`;
    const serviceCategory = `CASE resource_kind WHEN 'vm' THEN 'Compute' WHEN 'disk' THEN 'Storage' WHEN 'snapshot' THEN 'Storage'
        WHEN 'ip' THEN 'Networking' WHEN 'bucket' THEN 'Storage' WHEN 'egress' THEN 'Networking' WHEN 'serverless' THEN 'Compute'
        ELSE 'Other' END`;
    const subcategory = `CASE resource_kind WHEN 'vm' THEN 'Virtual Machines' WHEN 'disk' THEN 'Block Storage' WHEN 'snapshot' THEN 'Backup Storage'
        WHEN 'ip' THEN 'Network Infrastructure' WHEN 'bucket' THEN 'Object Storage' WHEN 'egress' THEN 'Network Infrastructure'
        WHEN 'serverless' THEN 'Serverless Compute' ELSE 'Other (Compute)' END`;
    const pricingUnit = `CASE unit WHEN 'Hrs' THEN 'Hours' WHEN 'GB-Mo' THEN 'GB-Months' WHEN 'GB' THEN 'GB' WHEN 'M-Requests' THEN 'Million Requests' END`;
    const isUsage = `line_kind IN ('usage', 'covered_usage')`;
    const query = `SELECT
        list_cost AS BilledCost,
        billing_account_id AS BillingAccountId,
        'acme-oci' AS BillingAccountName,
        'Tenancy' AS BillingAccountType,
        currency AS BillingCurrency,
        ${iso(`TIMESTAMP '${end} 00:00:00'`)} AS BillingPeriodEnd,
        ${iso(`TIMESTAMP '${start} 00:00:00'`)} AS BillingPeriodStart,
        NULL AS CapacityReservationId,
        NULL AS CapacityReservationStatus,
        ${category} AS ChargeCategory,
        NULL AS ChargeClass,
        coalesce(description, ${serviceName} || ' - ' || coalesce(size, '')) AS ChargeDescription,
        CASE WHEN ${isUsage} THEN 'Usage-Based' ELSE 'One-Time' END AS ChargeFrequency,
        ${iso("(day + 1)::TIMESTAMP")} AS ChargePeriodEnd,
        ${iso("day::TIMESTAMP")} AS ChargePeriodStart,
        NULL AS CommitmentDiscountCategory,
        NULL AS CommitmentDiscountId,
        NULL AS CommitmentDiscountName,
        NULL AS CommitmentDiscountQuantity,
        NULL AS CommitmentDiscountStatus,
        NULL AS CommitmentDiscountType,
        NULL AS CommitmentDiscountUnit,
        CASE WHEN ${isUsage} THEN usage_amount END AS ConsumedQuantity,
        CASE WHEN ${isUsage} THEN ${pricingUnit} END AS ConsumedUnit,
        list_cost AS ContractedCost,
        CASE WHEN ${isUsage} THEN unit_price END AS ContractedUnitPrice,
        effective_cost AS EffectiveCost,
        CASE WHEN billing_month = ${lit(ctx.openMonth)} THEN NULL ELSE 'OCI-' || upper(substr(md5(billing_account_id || billing_month), 1, 10)) END AS InvoiceId,
        'Oracle' AS InvoiceIssuerName,
        list_cost AS ListCost,
        CASE WHEN ${isUsage} THEN unit_price END AS ListUnitPrice,
        CASE WHEN ${isUsage} THEN 'Standard' END AS PricingCategory,
        currency AS PricingCurrency,
        CASE WHEN ${isUsage} THEN usage_amount END AS PricingQuantity,
        CASE WHEN ${isUsage} THEN ${pricingUnit} END AS PricingUnit,
        'Oracle' AS ProviderName,
        'Oracle' AS PublisherName,
        region AS RegionId,
        CASE region WHEN 'us-ashburn-1' THEN 'US East (Ashburn)' ELSE region END AS RegionName,
        resource_id AS ResourceId,
        resource_name AS ResourceName,
        CASE resource_kind WHEN 'vm' THEN 'Instance' WHEN 'disk' THEN 'Block Volume' WHEN 'snapshot' THEN 'Volume Backup'
          WHEN 'ip' THEN 'Public IP' WHEN 'bucket' THEN 'Bucket' END AS ResourceType,
        ${serviceCategory} AS ServiceCategory,
        ${serviceName} AS ServiceName,
        ${subcategory} AS ServiceSubcategory,
        CASE WHEN ${isUsage} THEN 'B' || (abs(hash(coalesce(size, resource_kind))) % 90000 + 10000) END AS SkuId,
        CASE WHEN ${isUsage} THEN coalesce(size, resource_kind) END AS SkuMeter,
        NULL AS SkuPriceDetails,
        CASE WHEN ${isUsage} THEN 'B' || (abs(hash(coalesce(size, resource_kind))) % 90000 + 10000) || '-' || region END AS SkuPriceId,
        sub_account_id AS SubAccountId,
        sub_account_name AS SubAccountName,
        'Compartment' AS SubAccountType,
        tags::VARCHAR AS Tags,
        'REF-' || upper(substr(md5(coalesce(resource_id, '') || day || line_kind), 1, 12)) AS oci_ReferenceNumber,
        sub_account_id AS oci_CompartmentId,
        sub_account_name AS oci_CompartmentName,
        day AS report_day
      FROM li WHERE export = 'focus' AND billing_month = ${lit(month)}
      ORDER BY day, sub_account_id, line_kind, resource_id, size`;
    const days = await ctx.con.runAndReadAll(
      `SELECT DISTINCT strftime(report_day, '%Y/%m/%d') AS d FROM (${query}) ORDER BY 1`,
    );
    for (const { d } of days.getRowObjectsJson() as { d: string }[]) {
      const file = path.join(
        "focus",
        "oci",
        "FOCUS Reports",
        ...d.split("/"),
        `0001000001234567-${d.replaceAll("/", "")}.csv.gz`,
      );
      const day = `SELECT * EXCLUDE (report_day) FROM (${query}) WHERE strftime(report_day, '%Y/%m/%d') = ${lit(d)}`;
      files.push(await copyTo(ctx, day, file, "FORMAT csv, HEADER, COMPRESSION gzip"));
    }
  }
  return files;
};
