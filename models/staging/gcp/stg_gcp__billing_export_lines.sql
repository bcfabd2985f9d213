-- GCP billing export rows, flattened. Credits (CUD, SUD, promotions) are summed per row:
-- what the invoice charges is cost + credits.
select
    'gcp'                                                   as provider,
    billing_account_id,
    project ->> 'id'                                        as sub_account_id,
    project ->> 'name'                                      as sub_account_name,
    _billing_period                                         as billing_period,
    replace(usage_start_time, ' UTC', '')::timestamp        as usage_start,
    cost_type,
    service ->> 'id'                                        as service_code,
    service ->> 'description'                               as service_name,
    sku ->> 'description'                                   as sku_description,
    coalesce(resource ->> 'global_name', resource ->> 'name') as resource_id,
    location ->> 'region'                                   as region,
    {{ money("usage ->> 'amount_in_pricing_units'") }}      as usage_quantity,
    usage ->> 'pricing_unit'                                as unit,
    currency,
    {{ money('cost') }}                                     as cost,
    coalesce((
        select sum({{ money("c ->> 'amount'") }})
        from (select unnest(from_json(credits, '["json"]')) as c)
    ), 0)                                                   as credits,
    (
        select coalesce(json_group_object(l ->> 'key', l ->> 'value'), '{}')
        from (select unnest(from_json(labels, '["json"]')) as l)
    )::json                                                 as tags,
    _source_file                                            as source_file
from {{ source('gcp', 'billing_export_lines') }}
