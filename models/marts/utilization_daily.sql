-- Resource x day utilization from hourly samples: percentiles over the hourly averages,
-- max over the hourly maxima, network and disk summed.
select
    {{ hash("resource_id || '|' || " ~ as_text(typecast('(' ~ at_utc('hour_start') ~ ')', 'date'))) }} as utilization_daily_id,
    provider,
    resource_id,
    {{ typecast('(' ~ at_utc('hour_start') ~ ')', 'date') }} as usage_date,
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
    count(*) as sample_count
from {{ ref('stg_metrics__hourly') }}
group by all
