-- FOCUS exports are FOCUS already: their rows pass through, with the warehouse's x_ columns added.
select
    {{ star_exclude('x_provider, billing_period, load_id, source_file') }},
    x_provider                                                  as x_Provider,
    case
        when ResourceType in ('Instance', 'Virtual Machine', 'VM Instance') then 'virtual_machine'
        when ResourceType in ('Block Volume', 'Boot Volume', 'Disk', 'Volume') then 'volume'
        when ResourceType in ('Volume Backup', 'Boot Volume Backup', 'Snapshot') then 'snapshot'
        when ResourceType in ('Public IP', 'Public IP Address') then 'public_ip'
        when ResourceType in ('Bucket', 'Storage Bucket') then 'bucket'
    end                                                         as x_ResourceKind,
    SkuMeter                                                    as x_InstanceType,
    billing_period                                              as x_BillingPeriod,
    'focus_export' as x_SourceDataset,
    source_file                                                 as x_SourceFile,
    load_id                                                     as x_LoadId
from {{ ref('stg_focus__cost_lines') }}
