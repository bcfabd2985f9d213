-- Hourly utilization, cast (CSV-landed files arrive as text). The provider as every table keys
-- it (a file may say "Oracle Cloud Infrastructure" or "AWS"); Azure resource ids compare lower case.
select
    timestamp::timestamptz                                  as hour_start,
    {{ provider_key('provider') }}                          as provider,
    case when {{ provider_key('provider') }} = 'azure' then lower(resource_id) else resource_id end as resource_id,
    cpu_avg_pct::double                                     as cpu_avg_pct,
    cpu_max_pct::double                                     as cpu_max_pct,
    memory_avg_pct::double                                  as memory_avg_pct,
    memory_max_pct::double                                  as memory_max_pct,
    network_in_bytes::bigint                                as network_in_bytes,
    network_out_bytes::bigint                               as network_out_bytes,
    disk_read_bytes::bigint                                 as disk_read_bytes,
    disk_write_bytes::bigint                                as disk_write_bytes
from {{ source('metrics', 'hourly') }}
