{{ config(materialized='table', tags=['recommendations']) }}
-- Snapshots older than the configured age: their creation date from the inventory; without one,
-- the first day the billing shows them (then they are at least that old, and the evidence says so).
{% set c = var('recommend').storage %}
with last_day as (select max(last_seen) as d from {{ ref('resources') }})

select
    'old_snapshot' as detector,
    'storage' as category,
    'delete_snapshot' as action,
    s.provider, s.billing_account_id, s.sub_account_id, s.resource_id, 'snapshot' as resource_type, s.region,
    'snapshot' || coalesce(' ' || s.size_gb || ' GB', '') || ', ' || ((select d from last_day) - coalesce(s.created_at::date, s.first_seen)) || ' days old' as current_configuration,
    null::varchar as target_configuration,
    s.monthly_cost as estimated_monthly_savings,
    s.monthly_cost_at_list as estimated_monthly_savings_at_list,
    s.currency,
    {{ c.snapshot_max_age_days }} as lookback_days,
    json_object('created_at', s.created_at, 'first_billed', s.first_seen,
        'age_days', (select d from last_day) - coalesce(s.created_at::date, s.first_seen), 'size_gb', s.size_gb) as evidence,
    'Snapshot ' || s.resource_id || case when s.created_at is not null then ' was taken on ' || s.created_at::date
        else ' has been billed since ' || s.first_seen end || ', over ' || {{ c.snapshot_max_age_days }}
        || ' days ago: delete it, or keep it under a retention policy if it is still needed.' as explanation,
    case when s.created_at is not null then 0.8 else 0.5 end as confidence,
    case when s.created_at is not null then 'inventory and billing' else 'billing' end as data_source,
    s.tags
from {{ ref('int_recommend__storage') }} s
where s.resource_type = 'snapshot' and s.state = 'active'
  and coalesce(s.created_at::date, s.first_seen) < (select d from last_day) - {{ c.snapshot_max_age_days }}
