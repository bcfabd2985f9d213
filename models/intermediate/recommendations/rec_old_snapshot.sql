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
    'snapshot' || coalesce(' ' || {{ as_text('s.size_gb') }} || ' GB', '') || ', ' || {{ as_text('(' ~ datediff('coalesce(' ~ typecast('s.created_at', 'date') ~ ', s.first_seen)', '(select d from last_day)', 'day') ~ ')') }} || ' days old' as current_configuration,
    {{ typecast('null', 'varchar') }} as target_configuration,
    s.monthly_cost as estimated_monthly_savings,
    s.monthly_cost_at_list as estimated_monthly_savings_at_list,
    s.currency,
    {{ c.snapshot_max_age_days }} as lookback_days,
    {% call json_object_text() %}'created_at', s.created_at, 'first_billed', s.first_seen,
        'age_days', {{ datediff('coalesce(' ~ typecast('s.created_at', 'date') ~ ', s.first_seen)', '(select d from last_day)', 'day') }}, 'size_gb', s.size_gb{% endcall %} as evidence,
    'Snapshot ' || s.resource_id || case when s.created_at is not null then ' was taken on ' || {{ as_text(typecast('s.created_at', 'date')) }}
        else ' has been billed since ' || {{ as_text('s.first_seen') }} end || ', over ' || {{ as_text(c.snapshot_max_age_days) }}
        || ' days ago: delete it, or keep it under a retention policy if it is still needed.' as explanation,
    case when s.created_at is not null then 0.8 else 0.5 end as confidence,
    case when s.created_at is not null then 'inventory and billing' else 'billing' end as data_source,
    s.tags
from {{ ref('int_recommend__storage') }} s
where s.resource_type = 'snapshot' and s.state = 'active'
  and coalesce({{ typecast('s.created_at', 'date') }}, s.first_seen) < {{ days_before('(select d from last_day)', c.snapshot_max_age_days) }}
