{{ config(materialized='table', tags=['recommendations']) }}
-- Each measured VM's utilization distribution over the longest VM lookback, for the risk
-- assessment (ml/risk): how far its peaks reach, how complete its metrics are, and how busy it is
-- outside office hours (weekdays 07:00-19:00 UTC), where a schedule would stop it.
{% set r = var('recommend') %}
{% set lookback = 'greatest(' ~ r.idle_vm.lookback_days ~ ', ' ~ r.rightsizing.lookback_days ~ ', ' ~ r.schedule.lookback_days ~ ')' %}
select
    resource_id,
    {{ lookback }} as lookback_days,
    count(*) as hours_observed,
    count(distinct {{ typecast('hour_start', 'date') }}) as days_observed,
    {{ percentile('cpu_avg_pct', 0.95) }} as cpu_p95_pct,
    {{ percentile('cpu_max_pct', 0.995) }} as cpu_p99_5_pct,
    max(cpu_max_pct) as cpu_max_pct,
    {{ percentile('memory_max_pct', 0.995) }} as memory_p99_5_pct,
    max(memory_max_pct) as memory_max_pct,
    count(memory_max_pct) > 0 as memory_measured,
    {{ percentile('cpu_max_pct', 0.95, where=iso_day_of_week('hour_start') ~ ' > 5 or ' ~ hour_of_day('hour_start') ~ ' < 7 or '
        ~ hour_of_day('hour_start') ~ ' >= 19') }} as off_hours_cpu_p95_pct
from {{ ref('stg_metrics__hourly') }}
where {{ metrics_window(lookback) }}
group by resource_id
