/**
 * Azure cost details exports for a Microsoft Customer Agreement, camelCase
 * columns, MM/DD/YYYY dates: an actual-cost and an amortized-cost export, partitioned, in the
 * folder layout and with the manifests Cost Management writes.
 */
import { lit } from "../../../core/sql.ts";
import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import path from "node:path";
import { dayString } from "../numbers.ts";
import { compact, copyTo, type ExportWriter, monthBounds, writeJson } from "./common.ts";

/** Reservations are paid monthly: the purchase row is the month's commitment fees summed. */
function actualRows(month: string): string {
  return `
    SELECT * REPLACE (CASE WHEN line_kind = 'covered_usage' THEN 0 ELSE list_cost END AS list_cost) FROM li
      WHERE export = 'azure_mca' AND billing_month = ${lit(month)} AND line_kind <> 'commitment_fee'
    UNION ALL BY NAME
    SELECT any_value(line_id) AS line_id, any_value(export) AS export, any_value(provider) AS provider, billing_account_id, sub_account_id,
      any_value(sub_account_name) AS sub_account_name, any_value(currency) AS currency, min(day) AS day, min(day_idx) AS day_idx,
      'commitment_purchase' AS line_kind, 'commitment' AS resource_kind, resource_id, any_value(resource_name) AS resource_name,
      any_value(region) AS region, NULL AS zone, any_value(size) AS size, 0 AS vcpu, 0 AS size_gb, 'Month' AS unit,
      1 AS usage_amount, sum(list_cost) AS unit_price, sum(list_cost) AS list_cost, 0 AS effective_cost, resource_id AS commitment_id,
      any_value(commitment_type) AS commitment_type, 0 AS commitment_rate, '{}'::JSON AS tags, NULL AS service,
      'Reservation monthly payment' AS description, NULL AS amount, any_value(billing_month) AS billing_month
    FROM li WHERE export = 'azure_mca' AND billing_month = ${lit(month)} AND line_kind = 'commitment_fee'
    GROUP BY billing_account_id, sub_account_id, resource_id`;
}

function amortizedRows(month: string): string {
  return `SELECT * REPLACE (effective_cost AS list_cost) FROM li
    WHERE export = 'azure_mca' AND billing_month = ${lit(month)} AND line_kind <> 'commitment_purchase'`;
}

function project(rows: string, month: string, openMonth: string): string {
  const { start, end } = monthBounds(month);
  const meterCategory = `CASE resource_kind WHEN 'vm' THEN 'Virtual Machines' WHEN 'disk' THEN 'Storage' WHEN 'snapshot' THEN 'Storage'
      WHEN 'ip' THEN 'Virtual Network' WHEN 'bucket' THEN 'Storage' WHEN 'egress' THEN 'Bandwidth' WHEN 'serverless' THEN 'Functions'
      WHEN 'commitment' THEN 'Virtual Machines' ELSE '' END`;
  const consumed = `CASE resource_kind WHEN 'vm' THEN 'Microsoft.Compute' WHEN 'disk' THEN 'Microsoft.Compute' WHEN 'snapshot' THEN 'Microsoft.Compute'
      WHEN 'ip' THEN 'Microsoft.Network' WHEN 'bucket' THEN 'Microsoft.Storage' WHEN 'egress' THEN 'Microsoft.Network'
      WHEN 'serverless' THEN 'Microsoft.Web' ELSE '' END`;
  const chargeType = `CASE line_kind WHEN 'commitment_purchase' THEN 'Purchase' WHEN 'commitment_fee' THEN 'UnusedReservation'
      WHEN 'refund' THEN 'Refund' ELSE 'Usage' END`;
  const date = (expr: string) => `strftime(${expr}, '%m/%d/%Y')`;
  return `SELECT
      CASE WHEN billing_month = ${lit(openMonth)} THEN '' ELSE 'E0' || upper(substr(md5(billing_account_id || billing_month), 1, 8)) END AS invoiceId,
      '' AS previousInvoiceId,
      billing_account_id AS billingAccountId,
      'Acme Europe GmbH' AS billingAccountName,
      'ABCD-EFGH-IJK-LMN' AS billingProfileId,
      'Acme Europe' AS billingProfileName,
      'QRST-UVWX-YZA-BCD' AS invoiceSectionId,
      'Engineering' AS invoiceSectionName,
      '' AS resellerName,
      '' AS resellerMpnId,
      coalesce(tags ->> 'cost-center', '') AS costCenter,
      ${date(`DATE '${end}' - 1`)} AS billingPeriodEndDate,
      ${date(`DATE '${start}'`)} AS billingPeriodStartDate,
      ${date("day")} AS servicePeriodEndDate,
      ${date("day")} AS servicePeriodStartDate,
      ${date("day")} AS date,
      CASE WHEN resource_kind IN ('vm', 'commitment') THEN 'Compute' WHEN resource_kind IN ('disk', 'snapshot', 'bucket') THEN 'Storage'
        ELSE 'Networking' END AS serviceFamily,
      CASE WHEN commitment_id IS NOT NULL THEN split_part(commitment_id, '/', 5) ELSE '' END AS productOrderId,
      CASE WHEN commitment_id IS NOT NULL THEN 'Reserved VM Instance, 1 Year' ELSE 'Azure plan' END AS productOrderName,
      ${consumed} AS consumedService,
      md5(coalesce(size, '') || resource_kind)::UUID::VARCHAR AS meterId,
      -- A VM's meter names its size as "D4s v5"; the ARM size is AdditionalInfo's ServiceType.
      CASE WHEN resource_kind = 'vm' THEN replace(replace(size, 'Standard_', ''), '_', ' ') ELSE coalesce(size, '') END AS meterName,
      ${meterCategory} AS meterCategory,
      CASE resource_kind WHEN 'vm' THEN split_part(size, '_', 2) || ' Series' WHEN 'disk' THEN 'Premium SSD Managed Disks'
        WHEN 'snapshot' THEN 'Standard HDD Managed Disk Snapshots' WHEN 'ip' THEN 'IP Addresses' WHEN 'bucket' THEN 'Blob Storage'
        ELSE '' END AS meterSubCategory,
      CASE region WHEN 'westeurope' THEN 'EU West' WHEN 'northeurope' THEN 'EU North' ELSE '' END AS meterRegion,
      upper(substr(md5(coalesce(size, '') || region), 1, 16)) AS ProductId,
      ${meterCategory} || ' ' || coalesce(size, '') AS product,
      sub_account_id AS subscriptionId,
      sub_account_name AS subscriptionName,
      'Microsoft' AS publisherType,
      '' AS publisherId,
      'Microsoft' AS publisherName,
      CASE WHEN resource_id LIKE '/subscriptions/%' THEN split_part(resource_id, '/', 5) ELSE '' END AS resourceGroupName,
      coalesce(resource_id, '') AS InstanceName,
      region AS resourceLocation,
      CASE region WHEN 'westeurope' THEN 'EU West' WHEN 'northeurope' THEN 'EU North' ELSE '' END AS Location,
      CASE WHEN usage_amount = 0 THEN 0 ELSE round(list_cost / usage_amount, 10) END AS effectivePrice,
      usage_amount AS quantity,
      CASE unit WHEN 'Hrs' THEN '1 Hour' WHEN 'GB-Mo' THEN '1 GB/Month' WHEN 'GB' THEN '1 GB' WHEN 'M-Requests' THEN '1M' ELSE unit END AS unitOfMeasure,
      ${chargeType} AS chargeType,
      currency AS billingCurrency,
      currency AS pricingCurrency,
      list_cost AS costInBillingCurrency,
      list_cost AS costInPricingCurrency,
      round(list_cost * 1.0856, 10) AS costInUsd,
      round(CASE WHEN line_kind = 'covered_usage' THEN usage_amount * unit_price ELSE list_cost END, 10) AS paygCostInBillingCurrency,
      round(CASE WHEN line_kind = 'covered_usage' THEN usage_amount * unit_price ELSE list_cost END * 1.0856, 10) AS paygCostInUsd,
      1 AS exchangeRatePricingToBilling,
      ${date(`DATE '${start}'`)} AS exchangeRateDate,
      'True' AS isAzureCreditEligible,
      '' AS serviceInfo1,
      '' AS serviceInfo2,
      CASE WHEN resource_kind = 'vm' THEN '{"ServiceType":"' || size || '","VCPUs":' || vcpu || '}' ELSE '' END AS additionalInfo,
      -- Azure writes tags as JSON pairs without the enclosing braces.
      CASE WHEN tags::VARCHAR = '{}' THEN '' ELSE trim(tags::VARCHAR, '{}') END AS tags,
      unit_price AS payGPrice,
      CASE line_kind WHEN 'commitment_purchase' THEN 'Recurring' WHEN 'refund' THEN 'OneTime' ELSE 'UsageBased' END AS frequency,
      CASE WHEN commitment_id IS NOT NULL THEN '12' ELSE '' END AS term,
      -- As Azure writes it (see the EA sample): a purchase row names its order's GUID, the rows of
      -- its use name the reservation's GUID (one reservation per order here), the order apart.
      CASE WHEN commitment_id IS NULL THEN ''
        WHEN line_kind = 'commitment_purchase' THEN split_part(commitment_id, '/', 5)
        ELSE md5(commitment_id)::UUID::VARCHAR END AS reservationId,
      CASE WHEN commitment_id IS NOT NULL THEN 'acme-vm-reservation' ELSE '' END AS reservationName,
      unit_price AS unitPrice,
      CASE WHEN commitment_id IS NOT NULL THEN 'Reservation' ELSE 'OnDemand' END AS pricingModel
    FROM (${rows}) ORDER BY day, sub_account_id, line_kind, resource_id, size`;
}

/**
 * Each month as Cost Management's partitioned exports deliver it: <export>/<range>/<run id>/
 * part_0_0001.csv beside a manifest.json whose exportConfig.type says which dataset the parts are
 * (their names do not). One export per dataset, as Azure needs.
 */
export const writeAzureMca: ExportWriter = async (ctx) => {
  const files: string[] = [];
  for (const month of ctx.months) {
    const { start, end } = monthBounds(month);
    const range = `${compact(month)}01-${compact(dayString(end, -1))}`;
    for (const [dataset, type, rows] of [
      ["actualcost", "ActualCost", actualRows(month)],
      ["amortizedcost", "AmortizedCost", amortizedRows(month)],
    ] as const) {
      const exportName = `acme-${dataset}`;
      const runId = uuidFrom(`${exportName}|${month}`);
      const folder = path.join("azure", exportName, range, runId);
      const part = await copyTo(
        ctx,
        project(rows, month, ctx.openMonth),
        path.join(folder, "part_0_0001.csv"),
        "FORMAT csv, HEADER",
      );
      const reader = await ctx.con.runAndReadAll(
        `SELECT count(*)::INTEGER AS n FROM read_csv(${lit(part)}, all_varchar = true)`,
      );
      const rowCount = Number(reader.getRowObjectsJson()[0]!.n);
      const blobName = `exports/${exportName}/${range}/${runId}/part_0_0001.csv`;
      const manifest = {
        manifestVersion: "2024-04-01",
        byteCount: statSync(part).size,
        blobCount: 1,
        dataRowCount: rowCount,
        exportConfig: {
          exportName,
          resourceId: `/providers/Microsoft.Billing/billingAccounts/acme/providers/Microsoft.CostManagement/exports/${exportName}`,
          dataVersion: "2023-12-01-preview",
          apiVersion: "2023-07-01-preview",
          type,
          timeFrame: month === ctx.openMonth ? "MonthToDate" : "TheLastMonth",
          granularity: "Daily",
        },
        deliveryConfig: {
          partitionData: true,
          dataOverwriteBehavior: "OverwritePreviousReport",
          fileFormat: "Csv",
          compressionMode: "None",
          containerUri:
            "/subscriptions/acme/resourceGroups/finops/providers/Microsoft.Storage/storageAccounts/acmecosts",
          rootFolderPath: "exports",
        },
        runInfo: {
          executionType: "Scheduled",
          submittedTime: `${end}T02:00:00.0000000Z`,
          runId,
          startDate: `${start}T00:00:00`,
          endDate: `${dayString(end, -1)}T00:00:00`,
        },
        blobs: [{ blobName, byteCount: statSync(part).size, dataRowCount: rowCount }],
      };
      files.push(part, writeJson(ctx, path.join(folder, "manifest.json"), manifest));
    }
  }
  return files;
};

/** A stable GUID-shaped id from a key (run ids differ per export and month). */
function uuidFrom(key: string): string {
  const h = createHash("md5").update(key).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
