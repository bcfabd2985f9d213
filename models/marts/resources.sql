-- Resource inventory: every resource billing shows (kind, size, cost), with what the latest
-- inventory snapshot says of it where one is loaded (state, attachment, creation, source), plus the
-- resources an inventory lists that billing does not show (yet), with no cost. Metrics say whether
-- a resource reports utilization.
{%- set last_day = newest_day(ref('int_resources__periods'), 'last_seen') %}
with periods as (
    select * from {{ ref('int_resources__periods') }}
),

-- Monthly run rate: effective cost of the last 7 billed days, per day x 730 / 24. The last billed
-- day as a literal where the build can ask (newest_day): the scan then reads only recent segments.
last_7d as (
    select resource_id, sum(effective_cost) as effective_cost_last_7d
    from {{ ref('int_resources__days') }}
    where charge_date > {{ days_before(last_day, 7) }}
    group by resource_id
),

-- A resource billed two ways (a bucket's storage and its data transfer, a VM resized) is described
-- as it was billed last, and of those ways the one that cost most.
ways as (
    select
        resource_id, provider, billing_account_id, sub_account_id, service_name, resource_type, sku, region, currency,
        max(last_seen) as last_seen,
        sum(effective_cost) as effective_cost
    from periods
    group by all
),

described as (
    select * from ways{{ where_for_qualify() }}
    qualify row_number() over (
        partition by resource_id order by last_seen desc, effective_cost desc, service_name, sku, region, sub_account_id
    ) = 1
),

-- Its tags as last billed with any.
tagged as (
    select resource_id, {{ arg_max('tags', 'last_seen') }} as tags
    from periods
    where tags is not null and tags <> '{}'
    group by resource_id
),

per_resource as (
    select
        d.{{ star_exclude('last_seen, effective_cost') }},
        t.tags,
        s.first_seen,
        s.last_seen,
        l.effective_cost_last_7d
    from described d
    join (
        select resource_id, min(first_seen) as first_seen, max(last_seen) as last_seen
        from periods
        group by resource_id
    ) s on s.resource_id = d.resource_id
    left join tagged t on t.resource_id = d.resource_id
    left join last_7d l on l.resource_id = d.resource_id
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
        when r.last_seen >= {{ days_before(last_day, 1) }} then 'active'
        else 'gone'
    end as state,
    case when r.is_billed then {{ typecast('round(coalesce(r.effective_cost_last_7d, 0) / 7 * 730 / 24, 2)', 'decimal(18, 2)') }} end as monthly_cost,
    r.currency,
    -- A day of utilization is an hourly sample's: the daily rows are 1/24 of what to look through.
    exists (select 1 from {{ ref('utilization_daily') }} m where m.resource_id = r.resource_id) as reports_metrics,
    r.inventory_state,
    r.attached_to,
    r.created_at,
    r.size_gb,
    r.source_id,
    r.inventory_seen_at
from resources r
