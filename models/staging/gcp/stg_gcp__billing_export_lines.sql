-- GCP billing export rows, flattened. Credits (CUD, SUD, promotions) are summed per row:
-- what the invoice charges is cost + credits.
select
    'gcp'                                                   as provider,
    billing_account_id,
    project ->> 'id'                                        as sub_account_id,
    project ->> 'name'                                      as sub_account_name,
    _billing_period                                         as billing_period,
    replace(usage_start_time, ' UTC', '')::timestamp        as usage_start,
    replace(usage_end_time, ' UTC', '')::timestamp          as usage_end,
    coalesce(invoice ->> 'month', replace(_billing_period, '-', '')) as invoice_month,
    cost_type,
    service ->> 'id'                                        as service_code,
    service ->> 'description'                               as service_name,
    sku ->> 'id'                                            as sku_id,
    sku ->> 'description'                                   as sku_description,
    resource ->> 'name'                                     as resource_name,
    location ->> 'zone'                                     as zone,
    coalesce(resource ->> 'global_name', resource ->> 'name') as resource_id,
    location ->> 'region'                                   as region,
    -- The machine type of a VM's rows (resource-level and standard exports' system labels).
    (
        select any_value(l ->> 'value')
        from (select unnest(from_json(system_labels, '["json"]')) as l)
        where (l ->> 'key') = 'compute.googleapis.com/machine_spec'
    )                                                       as machine_spec,
    {{ money("usage ->> 'amount_in_pricing_units'") }}      as usage_quantity,
    usage ->> 'pricing_unit'                                as unit,
    {{ money("usage ->> 'amount'") }}                       as usage_amount,
    usage ->> 'unit'                                        as usage_unit,
    -- Newer exports price the row at list (cost_at_list) beside what the contract charges (cost).
    {{ money('cost_at_list') }}                             as cost_at_list,
    currency,
    {{ money('cost') }}                                     as cost,
    coalesce((
        select sum({{ money("c ->> 'amount'") }})
        from (select unnest(from_json(credits, '["json"]')) as c)
    ), 0)                                                   as credits,
    -- Committed use discounts (resource- and spend-based) apart, with the commitment they draw on.
    -- Exports from before credit types (2019) name them "Committed Usage Discount: …" instead.
    coalesce((
        select sum({{ money("c ->> 'amount'") }})
        from (select unnest(from_json(credits, '["json"]')) as c)
        where {{ gcp_is_cud_credit('c') }}
    ), 0)                                                   as cud_credits,
    (
        select any_value(c ->> 'id')
        from (select unnest(from_json(credits, '["json"]')) as c)
        where {{ gcp_is_cud_credit('c') }}
    )                                                       as cud_commitment_id,
    (
        select coalesce(json_group_object(l ->> 'key', l ->> 'value'), '{}')
        from (select unnest(from_json(labels, '["json"]')) as l)
    )::json                                                 as tags,
    _load_id                                                as load_id,
    _source_file                                            as source_file
from {{ source('gcp', 'billing_export_lines') }}
