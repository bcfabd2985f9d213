/**
 * AWS legacy CUR as gzip CSV with category/Name headers, in the layout CUR
 * delivers: <report>/<YYYYMMDD-YYYYMMDD>/<assembly>/<report>-1.csv.gz plus
 * <report>/<YYYYMMDD-YYYYMMDD>/<report>-Manifest.json.
 */
import path from "node:path";
import { lit } from "../../../core/sql.ts";
import { curSelect, withSpNegation } from "./aws-cur2.ts";
import { compact, copyTo, writeJson, type ExportWriter, monthBounds } from "./common.ts";

export const LEGACY_REPORT_NAME = "acme-research-cur";

/** CUR 2.0 snake_case name -> legacy CUR header. */
const LEGACY_NAMES: Record<string, string> = {
  identity_line_item_id: "identity/LineItemId",
  identity_time_interval: "identity/TimeInterval",
  bill_invoice_id: "bill/InvoiceId",
  bill_invoicing_entity: "bill/InvoicingEntity",
  bill_billing_entity: "bill/BillingEntity",
  bill_bill_type: "bill/BillType",
  bill_payer_account_id: "bill/PayerAccountId",
  bill_billing_period_start_date: "bill/BillingPeriodStartDate",
  bill_billing_period_end_date: "bill/BillingPeriodEndDate",
  line_item_usage_account_id: "lineItem/UsageAccountId",
  line_item_line_item_type: "lineItem/LineItemType",
  line_item_usage_start_date: "lineItem/UsageStartDate",
  line_item_usage_end_date: "lineItem/UsageEndDate",
  line_item_product_code: "lineItem/ProductCode",
  line_item_usage_type: "lineItem/UsageType",
  line_item_operation: "lineItem/Operation",
  line_item_availability_zone: "lineItem/AvailabilityZone",
  line_item_resource_id: "lineItem/ResourceId",
  line_item_usage_amount: "lineItem/UsageAmount",
  line_item_normalization_factor: "lineItem/NormalizationFactor",
  line_item_normalized_usage_amount: "lineItem/NormalizedUsageAmount",
  line_item_currency_code: "lineItem/CurrencyCode",
  line_item_unblended_rate: "lineItem/UnblendedRate",
  line_item_unblended_cost: "lineItem/UnblendedCost",
  line_item_blended_rate: "lineItem/BlendedRate",
  line_item_blended_cost: "lineItem/BlendedCost",
  line_item_line_item_description: "lineItem/LineItemDescription",
  line_item_tax_type: "lineItem/TaxType",
  line_item_legal_entity: "lineItem/LegalEntity",
  product_product_name: "product/ProductName",
  product_sku: "product/sku",
  product_location: "product/location",
  product_instance_type: "product/instanceType",
  product_instance_type_family: "product/instanceTypeFamily",
  product_region_code: "product/regionCode",
  product_servicecode: "product/servicecode",
  product_product_family: "product/productFamily",
  product_volume_api_name: "product/volumeApiName",
  pricing_public_on_demand_cost: "pricing/publicOnDemandCost",
  pricing_public_on_demand_rate: "pricing/publicOnDemandRate",
  pricing_term: "pricing/term",
  pricing_unit: "pricing/unit",
  reservation_reservation_a_r_n: "reservation/ReservationARN",
  reservation_effective_cost: "reservation/EffectiveCost",
  reservation_recurring_fee_for_usage: "reservation/RecurringFeeForUsage",
  reservation_unused_recurring_fee: "reservation/UnusedRecurringFee",
  savings_plan_savings_plan_arn: "savingsPlan/SavingsPlanARN",
  savings_plan_savings_plan_effective_cost: "savingsPlan/SavingsPlanEffectiveCost",
  savings_plan_savings_plan_rate: "savingsPlan/SavingsPlanRate",
  savings_plan_total_commitment_to_date: "savingsPlan/TotalCommitmentToDate",
  savings_plan_used_commitment: "savingsPlan/UsedCommitment",
  savings_plan_recurring_commitment_for_billing_period: "savingsPlan/RecurringCommitmentForBillingPeriod",
};

/**
 * A legacy CUR has a column per activated cost allocation tag: user tags as resourceTags/user:<key>,
 * AWS-generated ones (aws:autoscaling:groupName) as resourceTags/<key>.
 */
function tagColumn(key: string): string {
  return key.startsWith("aws:") ? `resourceTags/${key}` : `resourceTags/user:${key}`;
}

export const writeAwsCurLegacy: ExportWriter = async (ctx) => {
  const files: string[] = [];
  // Every key some resource in this export carries: the report's columns are the same all months.
  const tagKeys = (
    await ctx.con.runAndReadAll(
      "SELECT DISTINCT unnest(json_keys(tags)) AS k FROM li WHERE export = 'aws_cur_legacy' ORDER BY k",
    )
  )
    .getRowObjectsJson()
    .map((r) => String(r.k));
  for (const month of ctx.months) {
    const { start, end } = monthBounds(month);
    const range = `${compact(month)}01-${compact(end.slice(0, 7))}01`;
    const assembly = `00000000-0000-4000-a000-${compact(month)}0000`.slice(0, 36);
    const select = withSpNegation(curSelect("aws_cur_legacy", month, ctx.openMonth));
    const columns = Object.entries(LEGACY_NAMES).map(([snake, legacy]) => {
      // Legacy CSV writes timestamps as ISO 8601 with a Z, as the real reports do.
      const value = /(_start_date|_end_date)$/.test(snake)
        ? `strftime(${snake}, '%Y-%m-%dT%H:%M:%SZ')`
        : snake;
      return `${value} AS "${legacy}"`;
    });
    const tagColumns = tagKeys.map((k) => `coalesce(tags ->> ${lit(k)}, '') AS "${tagColumn(k)}"`);
    const query = `SELECT ${[...columns, ...tagColumns].join(", ")} FROM (${select})
      ORDER BY line_item_usage_start_date, identity_line_item_id`;
    const file = path.join(
      "aws",
      "cur-legacy",
      LEGACY_REPORT_NAME,
      range,
      assembly,
      `${LEGACY_REPORT_NAME}-1.csv.gz`,
    );
    files.push(await copyTo(ctx, query, file, "FORMAT csv, HEADER, COMPRESSION gzip"));
    const manifest = {
      assemblyId: assembly,
      account: "",
      columns: [...Object.values(LEGACY_NAMES), ...tagKeys.map(tagColumn)].map((name) => {
        const [category, ...rest] = name.split("/");
        return { category, name: rest.join("/") };
      }),
      charset: "UTF-8",
      compression: "GZIP",
      contentType: "text/csv",
      reportName: LEGACY_REPORT_NAME,
      billingPeriod: { start: `${compact(start)}T000000.000Z`, end: `${compact(end)}T000000.000Z` },
      reportKeys: [`${LEGACY_REPORT_NAME}/${range}/${assembly}/${LEGACY_REPORT_NAME}-1.csv.gz`],
    };
    // "Create new report version": AWS keeps the month's manifest and a copy in the assembly folder.
    for (const folder of [[range], [range, assembly]]) {
      files.push(
        writeJson(
          ctx,
          path.join(
            "aws",
            "cur-legacy",
            LEGACY_REPORT_NAME,
            ...folder,
            `${LEGACY_REPORT_NAME}-Manifest.json`,
          ),
          manifest,
        ),
      );
    }
  }
  return files;
};
