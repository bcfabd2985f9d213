-- The current resource inventory: each scope's latest snapshot (a scope is what one read covers:
-- provider, account, source and, for sources read one region at a time, the region), one row per
-- resource. A resource its scope's latest snapshot no longer lists is gone, so it is not here.
-- Listed by several scopes (a file and an API source, say), the most recent snapshot wins.
-- Ids as billing has them: Azure's compare lower case, like billing's and metrics'.
with snapshots as (
    select
        {{ parse_timestamp('snapshot_time') }}                  as snapshot_time,
        {{ provider_key('provider') }}                          as provider,
        nullif(trim({{ typecast('account_id', 'varchar') }}), '')                   as account_id,
        nullif(trim({{ typecast('region', 'varchar') }}), '')                       as region,
        nullif(trim({{ typecast('resource_id', 'varchar') }}), '')                  as resource_id,
        lower(nullif(trim({{ typecast('resource_type', 'varchar') }}), ''))         as resource_type,
        lower(nullif(trim({{ typecast('state', 'varchar') }}), ''))                 as state,
        nullif(trim({{ typecast('attached_to', 'varchar') }}), '')                  as attached_to,
        nullif(trim({{ typecast('size', 'varchar') }}), '')                         as size,
        {{ safe_cast('size_gb', 'double') }}                             as size_gb,
        {{ parse_timestamp('created_at') }}                     as created_at,
        nullif(trim({{ typecast('source_id', 'varchar') }}), '')                    as source_id,
        coalesce({{ safe_cast("nullif(trim(" ~ typecast('tags', 'varchar') ~ "), '')", 'json') }}, {{ typecast("'{}'", 'json') }}) as tags,
        coalesce(nullif(trim({{ typecast('source', 'varchar') }}), ''), 'file')     as source,
        coalesce(trim({{ typecast('scope', 'varchar') }}), '')                      as scope
    from {{ source('inventory', 'resources') }}
),

cased as (
    select
        * replace (
            case when provider = 'azure' then lower(resource_id) else resource_id end as resource_id,
            case when provider = 'azure' then lower(attached_to) else attached_to end as attached_to,
            case when provider = 'azure' then lower(source_id) else source_id end as source_id
        ),
        max(snapshot_time) over (partition by provider, account_id, source, scope) as scope_latest
    from snapshots
    where resource_id is not null
)

select
    resource_id,
    provider,
    account_id,
    region,
    resource_type,
    state,
    attached_to,
    size,
    size_gb,
    created_at,
    source_id,
    tags,
    source,
    scope,
    snapshot_time
from cased
where snapshot_time = scope_latest
qualify row_number() over (partition by provider, resource_id order by snapshot_time desc, source, scope) = 1
