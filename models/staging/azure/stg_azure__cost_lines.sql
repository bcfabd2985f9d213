-- Azure cost details, actual and amortized side by side (`cost_kind` says which), every
-- export schema in one shape. Tags may come without their enclosing braces.
{% set additional_info %}case
        when coalesce(additionalInfo, '') = '' then null
        when starts_with(trim(additionalInfo), '{') then additionalInfo
        else '{' || additionalInfo || '}'
    end{% endset -%}
{% set tags_object %}case
        when coalesce(tags, '') = '' then '{}'
        when starts_with(trim(tags), '{') then tags
        else '{' || tags || '}'
    end{% endset -%}
{% for kind in ['actual', 'amortized'] %}
select
    '{{ kind }}'                                                         as cost_kind,
    'azure'                                                              as provider,
    coalesce(billingAccountId, SubscriptionGuid, subscriptionId)         as billing_account_id,
    coalesce(subscriptionId, SubscriptionGuid)                           as sub_account_id,
    subscriptionName                                                     as sub_account_name,
    nullif(billingAccountName, '')                                       as billing_account_name,
    {{ typecast(parse_timestamp('billingPeriodStartDate'), 'date') }}                as billing_period_start,
    {{ typecast(parse_timestamp('billingPeriodEndDate'), 'date') }}                  as billing_period_end,
    nullif(coalesce(ProductId, meterId), '')                             as product_id,
    nullif(meterId, '')                                                  as meter_id,
    nullif(meterSubCategory, '')                                         as meter_sub_category,
    nullif(publisherName, '')                                            as publisher_name,
    nullif(publisherType, '')                                            as publisher_type,
    nullif(frequency, '')                                                as frequency,
    nullif(reservationName, '')                                          as commitment_name,
    nullif(resourceGroupName, '')                                        as resource_group,
    nullif(invoiceId, '')                                                as invoice_id,
    _billing_period                                                      as billing_period,
    {{ typecast(parse_timestamp('coalesce(' ~ adapter.quote('date') ~ ', UsageDateTime)'), 'date') }}       as usage_date,
    coalesce(chargeType, 'Usage')                                        as charge_type,
    pricingModel                                                         as pricing_model,
    consumedService                                                      as service_code,
    meterCategory                                                        as service_name,
    nullif(meterName, '')                                                as meter_name,
    -- A VM's ARM size (Standard_D4s_v5) is in AdditionalInfo's ServiceType; the meter says "D4s v5".
    -- AdditionalInfo, like tags, may come without its enclosing braces.
    nullif({{ json_extract_text(additional_info, '$.ServiceType') }}, '')                                           as arm_size,
    lower(nullif(coalesce(InstanceName, ResourceId, InstanceId), ''))    as resource_id,
    nullif(resourceLocation, '')                                         as region,
    {{ money('coalesce(quantity, UsageQuantity)') }}                     as usage_quantity,
    unitOfMeasure                                                        as unit,
    coalesce(billingCurrency, BillingCurrencyCode, Currency)             as currency,
    {{ money('coalesce(costInBillingCurrency, Cost, PreTaxCost)') }}     as cost,
    {{ money('paygCostInBillingCurrency') }}                             as payg_cost,
    nullif(pricingCurrency, '')                                          as pricing_currency,
    {{ money('costInPricingCurrency') }}                                 as cost_in_pricing_currency,
    {{ money('payGPrice') }}                                             as payg_price,
    {{ money('unitPrice') }}                                             as unit_price,
    -- A reservation is bought as an order: purchase rows name the order (EA: its GUID in
    -- reservationId), usage and unused rows the reservation (and the order in productOrderId).
    -- The order is the commitment, so every row of it carries one id.
    case
        when nullif(reservationId, '') is null then null
        when nullif(productOrderId, '') is not null then
            case when pricingModel = 'SavingsPlan' then '/providers/Microsoft.BillingBenefits/savingsPlanOrders/'
                 else '/providers/Microsoft.Capacity/reservationOrders/' end || lower(productOrderId)
        when {{ ilike('reservationId', "'%/reservationOrders/%'") }} then
            '/providers/Microsoft.Capacity/reservationOrders/' || lower({{ regexp_extract('reservationId', "'reservationOrders/([^/]+)'", 1) }})
        else reservationId
    end                                                                  as commitment_id,
    {{ typecast(tags_object, 'json') }}                                                            as tags,
    _load_id                                                             as load_id,
    _source_file                                                         as source_file
from {{ source('azure', kind ~ '_cost_lines') }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
