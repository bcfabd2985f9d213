{%- set restated = is_incremental() and (metrics_superseded_since(this) | int) > 0 -%}
{{ config(materialized='incremental', unique_key='usage_date', full_refresh=(true if restated else none)) }}
-- Resource x day utilization from hourly samples: percentiles over the hourly averages,
-- max over the hourly maxima, network and disk summed.
-- Incremental by day: the days a load newer than the model's newest holds samples of are rebuilt
-- from every sample of those days (metrics_days_literal); built whole once a metrics file was
-- delivered again (metrics_superseded_since), as a restated month may drop days.
{%- set usage_date = typecast('(' ~ at_utc('hour_start') ~ ')', 'date') %}
{%- set days = metrics_days_literal(ref('stg_metrics__hourly'), usage_date, this) if is_incremental() else '' %}
{#- The list is literals in order where the build can ask; else a subquery, with no first day. #}
{%- set first_day = (days | string).split(',')[0] | trim if execute else 'null' %}
select
    {{ hash("resource_id || '|' || " ~ as_text(usage_date)) }} as utilization_daily_id,
    provider,
    resource_id,
    {{ usage_date }} as usage_date,
    round(avg(cpu_avg_pct), 3) as cpu_avg_pct,
    round({{ percentile('cpu_avg_pct', 0.95) }}, 3) as cpu_p95_pct,
    round({{ percentile('cpu_avg_pct', 0.99) }}, 3) as cpu_p99_pct,
    max(cpu_max_pct) as cpu_max_pct,
    round(avg(memory_avg_pct), 3) as memory_avg_pct,
    max(memory_max_pct) as memory_max_pct,
    sum(network_in_bytes) as network_in_bytes,
    sum(network_out_bytes) as network_out_bytes,
    sum(disk_read_bytes) as disk_read_bytes,
    sum(disk_write_bytes) as disk_write_bytes,
    count(*) as sample_count,
    max(load_id) as load_id
from {{ ref('stg_metrics__hourly') }}
{% if is_incremental() %}
where {{ usage_date }} in ({{ days }})
{%- if first_day != 'null' %}
  -- The hours bound too, so the scan skips older files (a day's hours start at most a day before
  -- it in any time zone).
  and hour_start >= {{ typecast('(' ~ days_before(typecast(first_day, 'date'), 1) ~ ')', 'timestamptz') }}
{%- endif %}
{% endif %}
group by all
