{{ config(materialized='table', tags=['recommendations']) }}
-- Every running VM with what the detectors judge it by: its size in the catalogue (vCPU, memory,
-- family, generation, successor), its list price there, and the rates it is really billed at
-- (effective and list, per hour billed) over the longest detector lookback. Scheduled VMs' hours
-- are the hours billed, so a VM billed 12 h a day has the same hourly rate as one billed 24.
{% set r = var('recommend') %}
{% set lookback = 'greatest(' ~ r.idle_vm.lookback_days ~ ', ' ~ r.rightsizing.lookback_days ~ ', ' ~ r.schedule.lookback_days ~ ')' %}
with billed as (
    select
        resource_id,
        sum(effective_cost) as effective_cost,
        sum(list_cost) as list_cost,
        sum(usage_quantity) as hours,
        count(distinct charge_date) as days_billed,
        max(charge_date) as last_billed
    from {{ ref('cost_daily') }}
    where resource_type = 'virtual_machine' and charge_category = 'Usage' and {{ cost_window(lookback) }}
    group by all
),

-- The catalogue prices a size in its region and currency where it can; else in the same currency
-- elsewhere, else anywhere: detectors compare sizes by the ratio of two catalogue prices taken
-- in one region (price_region, price_currency), which holds where the level differs.
pricing as (
    select v.resource_id, p.region as price_region, p.currency as price_currency, p.on_demand_hourly
    from {{ ref('resources') }} v
    join {{ ref('catalog_vm_prices') }} p on p.provider = v.provider and p.size = v.sku
    where v.resource_type = 'virtual_machine'
    qualify row_number() over (
        partition by v.resource_id
        order by (p.region = v.region and p.currency = v.currency) desc, (p.currency = v.currency) desc, p.region, p.currency
    ) = 1
)

select
    v.resource_id,
    v.provider,
    v.billing_account_id,
    v.sub_account_id,
    v.region,
    v.sku as size,
    v.tags,
    v.currency,
    s.vcpu,
    s.memory_gib,
    s.family,
    s.previous_generation,
    s.successor_size,
    successor.family as successor_family,
    p.price_region,
    p.price_currency,
    p.on_demand_hourly as list_hourly_catalog,
    b.hours as hours_billed,
    b.days_billed,
    -- What this VM costs an hour as billed: after discounts, and at list.
    {{ typecast('(b.effective_cost / nullif(b.hours, 0))', 'decimal(38, 10)') }} as effective_hourly,
    {{ typecast('(b.list_cost / nullif(b.hours, 0))', 'decimal(38, 10)') }} as list_hourly
from {{ ref('resources') }} v
join billed b using (resource_id)
left join {{ ref('catalog_vm_sizes') }} s on s.provider = v.provider and s.size = v.sku
left join {{ ref('catalog_vm_sizes') }} successor on successor.provider = s.provider and successor.size = s.successor_size
left join pricing p using (resource_id)
where v.resource_type = 'virtual_machine' and v.state = 'active'
