/**
 * FOCUS applicability criteria the warehouse's own FOCUS rows meet: what AWS, Azure and GCP
 * support and the marts carry (sub accounts, regions, zones, tags, usage, commitments, public
 * and negotiated unit prices, resources and their types, spot pricing, account types, and
 * pricing in another currency than billing). Not claimed: capacity reservations (no native
 * export here carries them), virtual currencies, account naming (not every export names accounts).
 */
export const WAREHOUSE_CRITERIA = [
  "SUB_ACCOUNT_SUPPORTED",
  "REGION_SUPPORTED",
  "TAGGING_SUPPORTED",
  "USAGE_MEASUREMENT_SUPPORTED",
  "COMMITMENT_DISCOUNT_SUPPORTED",
  "PUBLIC_PRICE_LIST_SUPPORTED",
  "UNIT_PRICING_SUPPORTED",
  "BILLING_BASED_ON_PROVISIONED_RESOURCES_SUPPORTED",
  "RESOURCE_TYPE_ASSIGNMENT_SUPPORTED",
  "AVAILABILITY_ZONE_SUPPORTED",
  "MULTIPLE_PRICING_CATEGORIES_SUPPORTED",
  "NEGOTIATED_PRICING_SUPPORTED",
  "MULTIPLE_SUB_ACCOUNT_TYPES_SUPPORTED",
  "MULTIPLE_BILLING_ACCOUNT_TYPES_SUPPORTED",
  "PRICING_BILLING_CURRENCY_DIFFERENCES_SUPPORTED",
];
