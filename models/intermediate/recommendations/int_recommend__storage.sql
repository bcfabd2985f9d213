{{ config(materialized='table', tags=['recommendations']) }}
-- Volumes, snapshots and public addresses with what the storage detectors judge them by: the
-- inventory's view where one is loaded (state, attachment, creation, size) and the billing's
-- (first and last day billed, monthly run rate). The monthly cost is the inventory size at the
-- catalogue's price, scaled to the rate the resource is billed at; else the billed run rate.
with billed as (
    select resource_id, sum(effective_cost) as effective_cost, sum(list_cost) as list_cost
    from {{ ref('cost_daily') }}
    where resource_type in ('volume', 'snapshot', 'public_ip') and charge_category = 'Usage' and {{ cost_window(7) }}
    group by all
)

select
    r.resource_id,
    r.provider,
    r.billing_account_id,
    r.sub_account_id,
    r.region,
    r.resource_type,
    r.sku,
    r.tags,
    r.currency,
    r.state,
    r.first_seen,
    r.last_seen,
    r.inventory_state,
    r.attached_to,
    r.created_at,
    r.size_gb,
    r.inventory_seen_at,
    -- The billed run rate (last 7 days, as marts.resources), and the share of list actually paid.
    r.monthly_cost as billed_monthly_cost,
    coalesce(b.effective_cost / nullif(b.list_cost, 0), 1) as rate_to_list,
    p.price as list_price_per_unit,
    p.unit as price_unit,
    {% call typecast_block('decimal(18, 2)') %}case
        when r.size_gb is not null and p.price is not null then (r.size_gb * p.price * coalesce(b.effective_cost / nullif(b.list_cost, 0), 1))
        else r.monthly_cost
    end{% endcall %} as monthly_cost,
    {{ typecast('case when r.size_gb is not null and p.price is not null then (r.size_gb * p.price) else r.monthly_cost end', 'decimal(18, 2)') }}
        as monthly_cost_at_list
from {{ ref('resources') }} r
left join billed b using (resource_id)
left join {{ ref('catalog_storage_prices') }} p
    -- Volumes are priced by their type (gp2, pd-balanced, Premium SSD); snapshots whatever their SKU.
    on p.provider = r.provider and p.region = r.region and p.currency = r.currency and p.unit = 'GB-Mo'
    and p.storage_type = case r.resource_type when 'snapshot' then 'snapshot' else r.sku end
where r.resource_type in ('volume', 'snapshot', 'public_ip')
