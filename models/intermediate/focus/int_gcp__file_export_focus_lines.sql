-- GCP's retired billing file export (CSV and JSON) as FOCUS 1.2 rows: one Usage row per line
-- item and day, at project level (the export names no resources, regions or SKU prices). Its
-- credit (free trial, promotions) is folded into the row as the BigQuery export's are: the
-- invoice charges cost + credits.
with lines as (
    select * from {{ ref('stg_gcp__file_export_csv_lines') }}
    {{ union_all_by_name() }}
    select * from {{ ref('stg_gcp__file_export_json_lines') }}
),

-- The export measures in base units (seconds, bytes, byte-seconds); prices are per hour and GiB,
-- as Google prices them and the BigQuery export states them. Unit prices per byte-second would
-- lose their digits (FOCUS: price x pricing quantity = cost).
named as (
    select
        *,
        {{ split_part('line_item', "'/'", 3) }} as service_code,
        {% call cast_block('decimal(38, 10)') %}case unit
            when 'seconds' then usage_quantity / 3600
            when 'bytes' then usage_quantity / 1073741824
            when 'byte-seconds' then usage_quantity / 1073741824 / 3600
            else usage_quantity
        end{% endcall %} as pricing_quantity,
        case unit
            when 'seconds' then 'Hours'
            when 'bytes' then 'GiB'
            when 'byte-seconds' then 'GiB-Hours'
            else coalesce(unit, 'Units')
        end as pricing_unit
    from lines
)

select
    cost + credits                                                      as BilledCost,
    billing_account_id                                                  as BillingAccountId,
    'Billing Account'                                                   as BillingAccountType,
    currency                                                            as BillingCurrency,
    {{ dateadd('month', 1, parse_datetime('billing_period', "'%Y-%m'")) }}                as BillingPeriodEnd,
    {{ parse_datetime('billing_period', "'%Y-%m'") }}                                   as BillingPeriodStart,
    'Usage'                                                             as ChargeCategory,
    coalesce(description, line_item)                                    as ChargeDescription,
    'Usage-Based'                                                       as ChargeFrequency,
    coalesce(usage_end, {{ dateadd('day', 1, 'usage_start') }})                   as ChargePeriodEnd,
    usage_start                                                         as ChargePeriodStart,
    coalesce(usage_quantity, 0)                                         as ConsumedQuantity,
    coalesce(unit, 'Units')                                             as ConsumedUnit,
    -- No negotiated rates in the export: contracted = list = the cost before credits.
    cost                                                                as ContractedCost,
    cost + credits                                                      as EffectiveCost,
    'Google Cloud'                                                      as InvoiceIssuerName,
    cost                                                                as ListCost,
    'Standard'                                                          as PricingCategory,
    coalesce(pricing_quantity, 0)                                       as PricingQuantity,
    pricing_unit                                                        as PricingUnit,
    'Google Cloud'                                                      as ProviderName,
    'Google Cloud'                                                      as PublisherName,
    case service_code
        when 'compute-engine' then 'Compute Engine'
        when 'big-query' then 'BigQuery'
        when 'cloud-storage' then 'Cloud Storage'
        when 'cloud-sql' then 'Cloud SQL'
        when 'app-engine' then 'App Engine'
        when 'container-engine' then 'Kubernetes Engine'
        when 'cloud-functions' then 'Cloud Functions'
        when 'pubsub' then 'Cloud Pub/Sub'
        when 'datastore' then 'Cloud Datastore'
        else coalesce(nullif(replace(service_code, '-', ' '), ''), 'Google Cloud')
    end                                                                 as ServiceName,
    line_item                                                           as SkuId,
    coalesce(description, {{ regexp_extract('line_item', "'[^/]+$'") }})          as SkuMeter,
    line_item || ':' || pricing_unit                                    as SkuPriceId,
    sub_account_id                                                      as SubAccountId,
    coalesce(sub_account_name, sub_account_id)                          as SubAccountName,
    case when sub_account_id is not null then 'Project' end             as SubAccountType,
    {{ typecast("'{}'", 'json') }}                                                          as Tags,
    'gcp'                                                               as x_Provider,
    credits                                                             as x_OtherCredits,
    service_code                                                        as x_ServiceCode,
    billing_period                                                      as x_BillingPeriod,
    'gcp_file_export'                                                   as x_SourceDataset,
    source_file                                                         as x_SourceFile,
    load_id                                                             as x_LoadId
from named
