-- Legacy CUR line items (text as landed), renamed to the CUR 2.0 staging shape and cast.
with landed as (
    -- Tag columns vary per report (resourceTags/user:<key>, and resourceTags/aws:<key> for the
    -- AWS-generated ones); _source_file is always present, so the pattern never matches nothing.
    {{ cur_legacy_landed(source('aws', 'cur_legacy_line_items')) }}
)

select
    {{ raw_column('identity/LineItemId') }}                                   as line_item_id,
    'aws'                                                   as provider,
    {{ raw_column('bill/PayerAccountId') }}                                   as billing_account_id,
    {{ raw_column('lineItem/UsageAccountId') }}                               as sub_account_id,
    nullif({{ raw_column('lineItem/UsageAccountName') }}, '')                 as sub_account_name,
    nullif({{ raw_column('bill/PayerAccountName') }}, '')                     as billing_account_name,
    _load_id                                                as load_id,
    nullif({{ raw_column('bill/InvoiceId') }}, '')                            as invoice_id,
    _billing_period                                         as billing_period,
    {{ raw_column('lineItem/LineItemType') }}                                 as line_item_type,
    {{ typecast(typecast(raw_column('lineItem/UsageStartDate'), 'timestamptz'), 'timestamp') }}       as usage_start,
    {{ typecast(typecast(raw_column('lineItem/UsageEndDate'), 'timestamptz'), 'timestamp') }}         as usage_end,
    {{ typecast(typecast(raw_column('bill/BillingPeriodStartDate'), 'timestamptz'), 'timestamp') }}   as billing_period_start,
    {{ typecast(typecast(raw_column('bill/BillingPeriodEndDate'), 'timestamptz'), 'timestamp') }}     as billing_period_end,
    {{ raw_column('bill/BillingEntity') }}                                    as billing_entity,
    {{ typecast('null', 'varchar') }}                                           as invoicing_entity,
    {{ raw_column('lineItem/LegalEntity') }}                                  as legal_entity,
    {{ raw_column('lineItem/LineItemDescription') }}                          as description,
    {{ raw_column('lineItem/Operation') }}                                    as operation,
    {{ raw_column('product/productFamily') }}                                 as product_family,
    nullif({{ raw_column('product/sku') }}, '')                               as product_sku,
    nullif({{ raw_column('pricing/RateId') }}, '')                            as pricing_rate_id,
    nullif({{ raw_column('pricing/term') }}, '')                              as pricing_term,
    nullif({{ raw_column('pricing/unit') }}, '')                              as pricing_unit,
    nullif({{ raw_column('lineItem/AvailabilityZone') }}, '')                 as availability_zone,
    nullif({{ raw_column('product/location') }}, '')                          as region_name,
    nullif({{ raw_column('reservation/ReservationARN') }}, '')                as reservation_arn,
    nullif({{ raw_column('savingsPlan/SavingsPlanARN') }}, '')                as savings_plan_arn,
    {{ typecast(parse_timestamp("coalesce(nullif(" ~ raw_column('savingsPlan/StartTime') ~ ", ''), nullif(" ~ raw_column('reservation/StartTime') ~ ", ''))"), 'timestamp') }} as commitment_start,
    {{ typecast(parse_timestamp("coalesce(nullif(" ~ raw_column('savingsPlan/EndTime') ~ ", ''), nullif(" ~ raw_column('reservation/EndTime') ~ ", ''))"), 'timestamp') }} as commitment_end,
    {{ raw_column('lineItem/ProductCode') }}                                  as service_code,
    coalesce(nullif({{ raw_column('product/ProductName') }}, ''), {{ aws_service_name(raw_column('lineItem/ProductCode')) }}) as service_name,
    {{ raw_column('lineItem/UsageType') }}                                    as usage_type,
    nullif({{ raw_column('lineItem/ResourceId') }}, '')                       as resource_id,
    nullif({{ raw_column('product/instanceType') }}, '')                      as instance_type,
    nullif({{ raw_column('product/regionCode') }}, '')                        as region,
    {{ money(raw_column('lineItem/UsageAmount')) }}                   as usage_quantity,
    {{ raw_column('lineItem/CurrencyCode') }}                                 as currency,
    {{ money(raw_column('lineItem/UnblendedCost')) }}                 as unblended_cost,
    {{ money(raw_column('pricing/publicOnDemandCost')) }}             as public_on_demand_cost,
    {{ money(raw_column('pricing/publicOnDemandRate')) }}             as public_on_demand_rate,
    {{ money(raw_column('lineItem/UnblendedRate')) }}                 as unblended_rate,
    {{ money(raw_column('reservation/UnusedQuantity')) }}             as reservation_unused_quantity,
    {{ money(raw_column('reservation/EffectiveCost')) }}              as reservation_effective_cost,
    {{ money(raw_column('reservation/UnusedRecurringFee')) }}         as reservation_unused_recurring_fee,
    {{ money(raw_column('savingsPlan/SavingsPlanEffectiveCost')) }}   as savings_plan_effective_cost,
    {{ money(raw_column('savingsPlan/TotalCommitmentToDate')) }}      as savings_plan_total_commitment,
    {{ money(raw_column('savingsPlan/UsedCommitment')) }}             as savings_plan_used_commitment,
    (
        {{ cur_legacy_tags('tag_columns') }}
    )                                                       as tags,
    _source_file                                            as source_file
from landed
