/**
 * The models' floor in bench/scale.ts: one hand-written statement mapping every raw billing
 * table to 17 core FOCUS columns, each raw row read once, money cast exactly to DECIMAL(38,10)
 * as the models do. It skips what the models add (commitment splits, unit prices, resources,
 * the other marts, tests): a lower bound for the work, not a replacement for it.
 */

/** Exact, as the models' money() macro: small doubles cast directly, large ones through text. */
const money = (c: string) =>
  `CASE WHEN abs(${c}) < 100000 THEN CAST(${c} AS DECIMAL(38, 10)) ELSE CAST(CAST(${c} AS VARCHAR) AS DECIMAL(38, 10)) END`;
/** Text as the exports write it, to DECIMAL(38,10). */
const text = (c: string) => `CAST(nullif(${c}, '') AS DECIMAL(38, 10))`;

const AWS_USAGE = "('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage', 'SavingsPlanNegation')";
const AWS_PURCHASE = "('Fee', 'RIFee', 'SavingsPlanRecurringFee', 'SavingsPlanUpfrontFee')";
const awsCategory = (c: string) =>
  `CASE WHEN ${c} IN ${AWS_USAGE} THEN 'Usage' WHEN ${c} IN ${AWS_PURCHASE} THEN 'Purchase' WHEN ${c} = 'Tax' THEN 'Tax' ELSE 'Credit' END`;

/** The CUR 2.0 table's part, also bench/models-worker.ts's floor (what the models do for AWS). */
export const CUR2_FLOOR = `
SELECT 'aws' AS x_Provider,
  bill_payer_account_id::VARCHAR AS BillingAccountId,
  line_item_usage_account_id::VARCHAR AS SubAccountId,
  _billing_period AS x_BillingPeriod,
  ${awsCategory("line_item_line_item_type")} AS ChargeCategory,
  line_item_usage_start_date::TIMESTAMP AS ChargePeriodStart,
  line_item_usage_end_date::TIMESTAMP AS ChargePeriodEnd,
  product_product_name AS ServiceName,
  product_region_code AS RegionId,
  nullif(line_item_resource_id, '') AS ResourceId,
  line_item_currency_code AS BillingCurrency,
  ${money("line_item_unblended_cost")} AS BilledCost,
  CASE line_item_line_item_type
    WHEN 'SavingsPlanCoveredUsage' THEN ${money("savings_plan_savings_plan_effective_cost")}
    WHEN 'DiscountedUsage' THEN ${money("reservation_effective_cost")}
    WHEN 'SavingsPlanNegation' THEN 0 ELSE ${money("line_item_unblended_cost")} END AS EffectiveCost,
  ${money("pricing_public_on_demand_cost")} AS ListCost,
  ${money("line_item_usage_amount")} AS PricingQuantity,
  pricing_unit AS PricingUnit,
  resource_tags::JSON AS Tags
FROM raw.aws_cur2_line_items`;

export const FOCUS_FLOOR = `
${CUR2_FLOOR}
UNION ALL
SELECT 'aws',
  "bill/PayerAccountId",
  "lineItem/UsageAccountId",
  _billing_period,
  ${awsCategory('"lineItem/LineItemType"')},
  "lineItem/UsageStartDate"::TIMESTAMP,
  "lineItem/UsageEndDate"::TIMESTAMP,
  "product/ProductName",
  "product/regionCode",
  nullif("lineItem/ResourceId", ''),
  "lineItem/CurrencyCode",
  ${text('"lineItem/UnblendedCost"')},
  CASE "lineItem/LineItemType"
    WHEN 'SavingsPlanCoveredUsage' THEN ${text('"savingsPlan/SavingsPlanEffectiveCost"')}
    WHEN 'DiscountedUsage' THEN ${text('"reservation/EffectiveCost"')}
    WHEN 'SavingsPlanNegation' THEN 0 ELSE ${text('"lineItem/UnblendedCost"')} END,
  ${text('"pricing/publicOnDemandCost"')},
  ${text('"lineItem/UsageAmount"')},
  "pricing/unit",
  json_object('env', "resourceTags/user:env", 'team', "resourceTags/user:team", 'cost-center', "resourceTags/user:cost-center")
FROM raw.aws_cur_legacy_line_items
UNION ALL
-- Azure: the actual dataset's rows, but commitment-covered usage and unused commitment from the amortized one.
SELECT 'azure',
  billingAccountId,
  subscriptionId,
  _billing_period,
  CASE chargeType WHEN 'Purchase' THEN 'Purchase' WHEN 'Tax' THEN 'Tax' WHEN 'Refund' THEN 'Credit'
    WHEN 'Usage' THEN 'Usage' WHEN 'UnusedReservation' THEN 'Usage' ELSE 'Adjustment' END,
  strptime("date", '%m/%d/%Y'),
  strptime("date", '%m/%d/%Y') + INTERVAL 1 DAY,
  meterCategory,
  resourceLocation,
  lower(nullif(InstanceName, '')),
  billingCurrency,
  CASE WHEN dataset = 'amortized' THEN 0 ELSE ${text("costInBillingCurrency")} END,
  CASE WHEN chargeType = 'Purchase' AND pricingModel = 'Reservation' THEN 0 ELSE ${text("costInBillingCurrency")} END,
  ${text("paygCostInBillingCurrency")},
  ${text("quantity")},
  unitOfMeasure,
  CASE WHEN coalesce(tags, '') = '' THEN NULL ELSE ('{' || tags || '}')::JSON END
FROM (
  SELECT *, 'actual' AS dataset FROM raw.azure_actual_cost_lines
  WHERE NOT (pricingModel = 'Reservation' AND chargeType = 'Usage')
  UNION ALL BY NAME
  SELECT *, 'amortized' AS dataset FROM raw.azure_amortized_cost_lines
  WHERE chargeType = 'UnusedReservation' OR (pricingModel = 'Reservation' AND chargeType = 'Usage')
)
UNION ALL
SELECT 'gcp',
  billing_account_id,
  project ->> 'id',
  _billing_period,
  CASE cost_type WHEN 'tax' THEN 'Tax' ELSE 'Usage' END,
  usage_start_time::TIMESTAMP,
  usage_end_time::TIMESTAMP,
  service ->> 'description',
  location ->> 'region',
  coalesce(resource ->> 'global_name', resource ->> 'name'),
  currency,
  ${text("cost")},
  ${text("cost")} + coalesce(list_sum(CAST(credits -> '$[*].amount' AS DECIMAL(38, 10)[])), 0),
  ${text("cost_at_list")},
  CAST(usage ->> 'amount_in_pricing_units' AS DECIMAL(38, 10)),
  usage ->> 'pricing_unit',
  labels
FROM raw.gcp_billing_export_lines
UNION ALL
SELECT lower(replace(ProviderName, ' ', '_')),
  BillingAccountId,
  SubAccountId,
  _billing_period,
  ChargeCategory,
  ChargePeriodStart::TIMESTAMP,
  ChargePeriodEnd::TIMESTAMP,
  ServiceName,
  RegionId,
  nullif(ResourceId, ''),
  BillingCurrency,
  ${text("BilledCost")},
  ${text("EffectiveCost")},
  ${text("ListCost")},
  ${text("PricingQuantity")},
  PricingUnit,
  Tags::JSON
FROM raw.focus_cost_lines`;
