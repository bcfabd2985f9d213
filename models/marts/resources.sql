-- Resource inventory: every resource billing shows (kind, size, cost), with what the latest
-- inventory snapshot says of it where one is loaded (state, attachment, creation, source), plus the
-- resources an inventory lists that billing does not show (yet), with no cost. Metrics say whether
-- a resource reports utilization.
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
        {{ agg_where('sum', 'effective_cost', 'charge_date > ' ~ days_before('(select d from last_day)', 7)) }} as effective_cost_last_7d
    from days
    group by resource_id
),

billed as (
    select *, {{ resource_match_key('resource_id', 'provider') }} as match_key
    from per_resource
),

-- One inventory row per resource and match key (an id spelled two ways is still one resource).
inventory as (
    select *, {{ resource_match_key('resource_id', 'provider') }} as match_key
    from {{ ref('stg_inventory__resources') }}{{ where_for_qualify() }}
    qualify row_number() over (partition by provider, match_key order by snapshot_time desc, resource_id) = 1
),

-- The id each resource goes by here: billing's where billed, else the inventory's. What an
-- inventory row is attached to or made from is said in these ids, so it joins this table.
known as (
    select provider, match_key, min(resource_id) as resource_id
    from (
        select provider, match_key, resource_id from billed where provider is not null
        union all
        select i.provider, i.match_key, i.resource_id
        from inventory i
        where not exists (select 1 from billed b where b.provider = i.provider and b.match_key = i.match_key)
    )
    group by all
),

inventory_linked as (
    select
        i.*,
        coalesce(a.resource_id, i.attached_to) as attached_to_id,
        coalesce(s.resource_id, i.source_id) as source_resource_id
    from inventory i
    left join known a
        on a.provider = i.provider and a.match_key = {{ resource_match_key('i.attached_to', 'i.provider') }}
    left join known s
        on s.provider = i.provider and s.match_key = {{ resource_match_key('i.source_id', 'i.provider') }}
),

resources as (
    select
        coalesce(b.resource_id, i.resource_id) as resource_id,
        coalesce(b.provider, i.provider) as provider,
        b.billing_account_id,
        coalesce(b.sub_account_id, i.account_id) as sub_account_id,
        b.service_name,
        coalesce(b.resource_type, i.resource_type) as resource_type,
        coalesce(b.sku, i.size) as sku,
        coalesce(b.region, i.region) as region,
        coalesce({{ typecast('b.tags', 'json') }}, i.tags) as tags,
        b.first_seen,
        b.last_seen,
        b.resource_id is not null as is_billed,
        b.effective_cost_last_7d,
        b.currency,
        i.state as inventory_state,
        i.attached_to_id as attached_to,
        i.created_at,
        i.size_gb,
        i.source_resource_id as source_id,
        i.snapshot_time as inventory_seen_at
    from billed b
    full outer join inventory_linked i
        on b.provider = i.provider and b.match_key = i.match_key
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
    {{ typecast("coalesce(r.tags, '{}')", 'json') }} as tags,
    r.first_seen,
    r.last_seen,
    -- Billed in the last two days of data; a resource never billed is active while its latest
    -- inventory snapshot lists it (stg_inventory__resources holds only those).
    case
        when not r.is_billed then 'active'
        when r.last_seen >= {{ days_before('(select d from last_day)', 1) }} then 'active'
        else 'gone'
    end as state,
    case when r.is_billed then {{ typecast('round(coalesce(r.effective_cost_last_7d, 0) / 7 * 730 / 24, 2)', 'decimal(18, 2)') }} end as monthly_cost,
    r.currency,
    exists (select 1 from {{ ref('stg_metrics__hourly') }} m where m.resource_id = r.resource_id) as reports_metrics,
    r.inventory_state,
    r.attached_to,
    r.created_at,
    r.size_gb,
    r.source_id,
    r.inventory_seen_at
from resources r
