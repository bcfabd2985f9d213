-- Azure MCA cost details, actual and amortized side by side: `cost_kind` says which.
-- Dates are MM/DD/YYYY; tags come without their enclosing braces.
{% for kind in ['actual', 'amortized'] %}
select
    '{{ kind }}'                                            as cost_kind,
    'azure'                                                 as provider,
    billingAccountId                                        as billing_account_id,
    subscriptionId                                          as sub_account_id,
    subscriptionName                                        as sub_account_name,
    nullif(invoiceId, '')                                   as invoice_id,
    _billing_period                                         as billing_period,
    strptime("date", '%m/%d/%Y')::date                      as usage_date,
    chargeType                                              as charge_type,
    pricingModel                                            as pricing_model,
    consumedService                                         as service_code,
    meterCategory                                           as service_name,
    nullif(meterName, '')                                   as meter_name,
    lower(nullif(InstanceName, ''))                         as resource_id,
    nullif(resourceLocation, '')                            as region,
    {{ money('quantity') }}                                 as usage_quantity,
    unitOfMeasure                                           as unit,
    billingCurrency                                         as currency,
    {{ money('costInBillingCurrency') }}                    as cost,
    {{ money('paygCostInBillingCurrency') }}                as payg_cost,
    nullif(reservationId, '')                               as commitment_id,
    case when coalesce(tags, '') = '' then '{}' else '{' || tags || '}' end::json as tags,
    _source_file                                            as source_file
from {{ source('azure', 'mca_' ~ kind ~ '_cost_lines') }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
