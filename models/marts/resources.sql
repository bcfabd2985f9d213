-- Resource inventory derived from billing (and metrics, for whether a resource reports utilization).
with days as (
    select * from {{ ref('int_resources__days') }}
),

last_day as (
    select max(charge_date) as d from days
),

per_resource as (
    select
        resource_id,
        any_value(provider) as provider,
        any_value(billing_account_id) as billing_account_id,
        any_value(sub_account_id) as sub_account_id,
        any_value(service_name) as service_name,
        any_value(resource_type) as resource_type,
        max(sku) as sku,
        any_value(region) as region,
        any_value(currency) as currency,
        any_value(tags) as tags,
        min(charge_date) as first_seen,
        max(charge_date) as last_seen,
        -- Monthly run rate: effective cost of the last 7 billed days, per day x 730 / 24.
        sum(effective_cost) filter (where charge_date > (select d from last_day) - 7) as effective_cost_last_7d
    from days
    group by resource_id
)

select
    r.resource_id,
    r.provider,
    r.billing_account_id,
    r.sub_account_id,
    r.service_name,
    r.resource_type,
    r.sku,
    r.region,
    coalesce(r.tags, '{}')::json as tags,
    r.first_seen,
    r.last_seen,
    case when r.last_seen >= (select d from last_day) - 1 then 'active' else 'gone' end as state,
    round(coalesce(r.effective_cost_last_7d, 0) / 7 * 730 / 24, 2)::decimal(18, 2) as monthly_cost,
    r.currency,
    exists (select 1 from {{ ref('stg_metrics__hourly') }} m where m.resource_id = r.resource_id) as reports_metrics
from per_resource r
