{{ config(materialized='table', tags=['recommendations']) }}
-- Idle VMs: CPU under 0.03 vCPU for 97% of the lookback's hours (GCP Recommender) or a P95 CPU
-- under 3% (Azure Advisor), and little network every day. Stopping one saves its whole rate.
{% set c = var('recommend').idle_vm %}
with hourly as (
    select m.resource_id, m.hour_start, m.cpu_avg_pct,
        coalesce(m.network_in_bytes, 0) + coalesce(m.network_out_bytes, 0) as network_bytes
    from {{ ref('stg_metrics__hourly') }} m
    where {{ metrics_window(c.lookback_days) }}
),

network as (
    select resource_id, max(mib) as worst_day_network_mib
    from (select resource_id, {{ typecast('hour_start', 'date') }} as day, sum(network_bytes) / 1048576.0 as mib from hourly group by all)
    group by all
),

stats as (
    select
        h.resource_id,
        count(*) as hours_observed,
        count(distinct {{ typecast('h.hour_start', 'date') }}) as days_observed,
        {{ percentile('h.cpu_avg_pct', 0.95) }} as cpu_p95_pct,
        avg(case when h.cpu_avg_pct * v.vcpu / 100 < {{ c.cpu_vcpu_max }} then 1.0 else 0.0 end) as share_under_vcpu,
        any_value(n.worst_day_network_mib) as worst_day_network_mib
    from hourly h
    join {{ ref('int_recommend__vms') }} v using (resource_id)
    join network n using (resource_id)
    group by h.resource_id
)

select
    'idle_vm' as detector,
    'deactivation' as category,
    'stop_instance' as action,
    v.provider, v.billing_account_id, v.sub_account_id, v.resource_id, 'virtual_machine' as resource_type, v.region,
    v.size as current_configuration,
    {{ typecast('null', 'varchar') }} as target_configuration,
    {{ typecast('(v.effective_hourly * 730)', 'decimal(18, 2)') }} as estimated_monthly_savings,
    {{ typecast('(v.list_hourly * 730)', 'decimal(18, 2)') }} as estimated_monthly_savings_at_list,
    v.currency,
    {{ c.lookback_days }} as lookback_days,
    {% call json_object_text() %}'hours_observed', s.hours_observed, 'days_observed', s.days_observed,
        'cpu_p95_pct', round(s.cpu_p95_pct, 2), 'share_of_hours_under_vcpu', round(s.share_under_vcpu, 4),
        'vcpu', v.vcpu, 'worst_day_network_mib', round(s.worst_day_network_mib, 2){% endcall %} as evidence,
    'VM ' || v.resource_id || ' (' || v.size || ') used under ' || {{ as_text(c.cpu_vcpu_max) }} || ' vCPU '
        || {{ as_text('round(100 * s.share_under_vcpu, 1)') }} || '% of ' || {{ as_text('s.hours_observed') }} || ' hours (P95 CPU '
        || {{ as_text('round(s.cpu_p95_pct, 1)') }} || '%) and moved at most ' || {{ as_text('round(s.worst_day_network_mib, 1)') }}
        || ' MiB a day: stopping it saves its whole rate.' as explanation,
    round(least(1.0, s.hours_observed / ({{ c.lookback_days }} * 24.0)), 2) as confidence,
    'billing and metrics' as data_source,
    v.tags
from stats s
join {{ ref('int_recommend__vms') }} v using (resource_id)
where s.days_observed >= {{ c.min_days_observed }}
  and (s.share_under_vcpu >= {{ c.time_share_min }} or s.cpu_p95_pct < {{ c.cpu_p95_max_pct }})
  and s.worst_day_network_mib < {{ c.network_mib_per_day_max }}
