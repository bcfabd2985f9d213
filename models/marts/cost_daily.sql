-- One row per day x provider x billing account x sub account x service x region x resource x charge category.
select
    md5(concat_ws('|', charge_date, provider, billing_account_id, sub_account_id, service_name, region,
        coalesce(resource_id, ''), charge_category, currency)) as cost_daily_id,
    charge_date,
    billing_period,
    provider,
    billing_account_id,
    sub_account_id,
    any_value(sub_account_name) as sub_account_name,
    service_name,
    region,
    resource_id,
    any_value(resource_type) as resource_type,
    charge_category,
    currency,
    sum(billed_cost)::decimal(38, 10) as billed_cost,
    sum(effective_cost)::decimal(38, 10) as effective_cost,
    sum(list_cost)::decimal(38, 10) as list_cost,
    sum(usage_quantity)::decimal(38, 10) as usage_quantity
from {{ ref('int_cost_lines_unioned') }}
group by charge_date, billing_period, provider, billing_account_id, sub_account_id, service_name, region, resource_id,
    charge_category, currency
