-- FOCUS rows, cast. Provider comes from ProviderName (lower case, e.g. oracle).
select
    lower(ProviderName)                                     as provider,
    BillingAccountId                                        as billing_account_id,
    SubAccountId                                            as sub_account_id,
    SubAccountName                                          as sub_account_name,
    nullif(InvoiceId, '')                                   as invoice_id,
    _billing_period                                         as billing_period,
    ChargePeriodStart::timestamptz                          as charge_period_start,
    ChargeCategory                                          as charge_category,
    ServiceName                                             as service_name,
    ServiceCategory                                         as service_category,
    nullif(ResourceId, '')                                  as resource_id,
    nullif(ResourceType, '')                                as resource_type,
    nullif(SkuMeter, '')                                    as sku_meter,
    nullif(RegionId, '')                                    as region,
    BillingCurrency                                         as currency,
    {{ money('BilledCost') }}                               as billed_cost,
    {{ money('EffectiveCost') }}                            as effective_cost,
    {{ money('ListCost') }}                                 as list_cost,
    {{ money('ConsumedQuantity') }}                         as usage_quantity,
    coalesce(nullif(Tags, ''), '{}')::json                  as tags,
    _source_file                                            as source_file
from {{ source('focus', 'cost_lines') }}
