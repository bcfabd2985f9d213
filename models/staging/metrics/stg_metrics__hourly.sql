-- Hourly utilization, cast (CSV-landed files arrive as text). The provider as every table keys
-- it (a file may say "Oracle Cloud Infrastructure" or "AWS"); Azure resource ids compare lower case.
select
    {{ typecast('timestamp', 'timestamptz') }}                                  as hour_start,
    {{ provider_key('provider') }}                          as provider,
    case when {{ provider_key('provider') }} = 'azure' then lower(resource_id) else resource_id end as resource_id,
    {{ typecast('cpu_avg_pct', 'double') }}                                     as cpu_avg_pct,
    {{ typecast('cpu_max_pct', 'double') }}                                     as cpu_max_pct,
    {{ typecast('memory_avg_pct', 'double') }}                                  as memory_avg_pct,
    {{ typecast('memory_max_pct', 'double') }}                                  as memory_max_pct,
    {{ typecast('network_in_bytes', 'bigint') }}                                as network_in_bytes,
    {{ typecast('network_out_bytes', 'bigint') }}                               as network_out_bytes,
    {{ typecast('disk_read_bytes', 'bigint') }}                                 as disk_read_bytes,
    {{ typecast('disk_write_bytes', 'bigint') }}                                as disk_write_bytes,
    _load_id                                                                    as load_id
from {{ source('metrics', 'hourly') }}
