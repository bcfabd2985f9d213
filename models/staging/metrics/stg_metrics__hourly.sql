-- Hourly utilization, cast (CSV-landed files arrive as text). Resource ids compare lower case for Azure.
select
    timestamp::timestamptz                                  as hour_start,
    provider,
    case when provider = 'azure' then lower(resource_id) else resource_id end as resource_id,
    cpu_avg_pct::double                                     as cpu_avg_pct,
    cpu_max_pct::double                                     as cpu_max_pct,
    memory_avg_pct::double                                  as memory_avg_pct,
    memory_max_pct::double                                  as memory_max_pct,
    network_in_bytes::bigint                                as network_in_bytes,
    network_out_bytes::bigint                               as network_out_bytes,
    disk_read_bytes::bigint                                 as disk_read_bytes,
    disk_write_bytes::bigint                                as disk_write_bytes
from {{ source('metrics', 'hourly') }}
