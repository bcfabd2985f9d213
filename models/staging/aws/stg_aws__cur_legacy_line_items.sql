-- Legacy CUR line items (text as landed), renamed to the CUR 2.0 staging shape and cast.
with landed as (
    -- Tag columns vary per report (resourceTags/user:<key>, and resourceTags/aws:<key> for the
    -- AWS-generated ones); _source_file is always present, so the pattern never matches nothing.
    select *, to_json(struct_pack(*columns('^(resourceTags/.*|_source_file)$'))) as tag_columns
    from {{ source('aws', 'cur_legacy_line_items') }}
)

select
    "identity/LineItemId"                                   as line_item_id,
    'aws'                                                   as provider,
    "bill/PayerAccountId"                                   as billing_account_id,
    "lineItem/UsageAccountId"                               as sub_account_id,
    nullif("lineItem/UsageAccountName", '')                 as sub_account_name,
    nullif("bill/PayerAccountName", '')                     as billing_account_name,
    _load_id                                                as load_id,
    nullif("bill/InvoiceId", '')                            as invoice_id,
    _billing_period                                         as billing_period,
    "lineItem/LineItemType"                                 as line_item_type,
    "lineItem/UsageStartDate"::timestamptz::timestamp       as usage_start,
    "lineItem/UsageEndDate"::timestamptz::timestamp         as usage_end,
    "bill/BillingPeriodStartDate"::timestamptz::timestamp   as billing_period_start,
    "bill/BillingPeriodEndDate"::timestamptz::timestamp     as billing_period_end,
    "bill/BillingEntity"                                    as billing_entity,
    null::varchar                                           as invoicing_entity,
    "lineItem/LegalEntity"                                  as legal_entity,
    "lineItem/LineItemDescription"                          as description,
    "lineItem/Operation"                                    as operation,
    "product/productFamily"                                 as product_family,
    nullif("product/sku", '')                               as product_sku,
    nullif("pricing/RateId", '')                            as pricing_rate_id,
    nullif("pricing/term", '')                              as pricing_term,
    nullif("pricing/unit", '')                              as pricing_unit,
    nullif("lineItem/AvailabilityZone", '')                 as availability_zone,
    nullif("product/location", '')                          as region_name,
    nullif("reservation/ReservationARN", '')                as reservation_arn,
    nullif("savingsPlan/SavingsPlanARN", '')                as savings_plan_arn,
    {{ parse_timestamp('coalesce(nullif("savingsPlan/StartTime", \'\'), nullif("reservation/StartTime", \'\'))') }}::timestamp as commitment_start,
    {{ parse_timestamp('coalesce(nullif("savingsPlan/EndTime", \'\'), nullif("reservation/EndTime", \'\'))') }}::timestamp as commitment_end,
    "lineItem/ProductCode"                                  as service_code,
    coalesce(nullif("product/ProductName", ''), {{ aws_service_name('"lineItem/ProductCode"') }}) as service_name,
    "lineItem/UsageType"                                    as usage_type,
    nullif("lineItem/ResourceId", '')                       as resource_id,
    nullif("product/instanceType", '')                      as instance_type,
    nullif("product/regionCode", '')                        as region,
    {{ money('"lineItem/UsageAmount"') }}                   as usage_quantity,
    "lineItem/CurrencyCode"                                 as currency,
    {{ money('"lineItem/UnblendedCost"') }}                 as unblended_cost,
    {{ money('"pricing/publicOnDemandCost"') }}             as public_on_demand_cost,
    {{ money('"pricing/publicOnDemandRate"') }}             as public_on_demand_rate,
    {{ money('"lineItem/UnblendedRate"') }}                 as unblended_rate,
    {{ money('"reservation/UnusedQuantity"') }}             as reservation_unused_quantity,
    {{ money('"reservation/EffectiveCost"') }}              as reservation_effective_cost,
    {{ money('"reservation/UnusedRecurringFee"') }}         as reservation_unused_recurring_fee,
    {{ money('"savingsPlan/SavingsPlanEffectiveCost"') }}   as savings_plan_effective_cost,
    {{ money('"savingsPlan/TotalCommitmentToDate"') }}      as savings_plan_total_commitment,
    {{ money('"savingsPlan/UsedCommitment"') }}             as savings_plan_used_commitment,
    (
        select json_group_object(regexp_replace(key, '^resourceTags/(user:)?', ''), value ->> '$')
        from json_each(tag_columns)
        where key <> '_source_file' and coalesce(value ->> '$', '') <> ''
    )                                                       as tags,
    _source_file                                            as source_file
from landed
