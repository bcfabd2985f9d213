{{ config(materialized='table', tags=['recommendations']) }}
-- AWS buckets kept in S3 Standard and rarely read: a lifecycle rule moving objects to Standard-IA
-- after transition_days costs less. Read from the CUR as AWS bills S3
-- (https://docs.aws.amazon.com/AmazonS3/latest/userguide/aws-usage-report-understand.html), usage
-- types with an optional region prefix (EU-, USW2-): TimedStorage-ByteHrs is Standard storage in
-- GB-months; any other TimedStorage-… (SIA, ZIA, GIR, GlacierByteHrs, GDA, INT-FA, INT-IA, …) is
-- another storage class, so a rule or Intelligent-Tiering is there already; Requests-Tier2 counts
-- GETs, Requests-Tier1 PUT/COPY/POST/LIST (the objects written, which the rule moves a month on).
-- Cold: Standard billed every day of the lookback, at least min_gb_month, no other class, fewer
-- GETs per GB-month than max_gets_per_gb_month. Savings at list: the storage price difference,
-- less the transitions of what is written, IA's dearer GETs and its per-GB retrieval fee (objects
-- of assumed_object_mb: the CUR does not say their size); at the Standard line's paid rate.
-- AWS only: Azure Blob and GCS lifecycle management are not in the adapters.
{% set c = var('recommend').bucket_lifecycle %}
{%- set last_day = newest_day(ref('focus_costs'), 'x_ChargeDate', "x_Provider = 'aws'") %}
with daily as (
    select
        ResourceId as resource_id,
        x_ChargeDate as charge_date,
        {{ regexp_extract('SkuMeter', "'((?:TimedStorage|Requests)-.*)$'", 1) }} as meter,
        any_value(RegionId) as region,
        any_value(BillingAccountId) as billing_account_id,
        any_value(SubAccountId) as sub_account_id,
        any_value(BillingCurrency) as currency,
        {{ typecast('sum(ConsumedQuantity)', 'double') }} as quantity,
        {{ typecast('sum(EffectiveCost)', 'double') }} as effective_cost,
        {{ typecast('sum(ListCost)', 'double') }} as list_cost
    from {{ ref('focus_costs') }}
    where x_Provider = 'aws' and x_ServiceCode = 'AmazonS3' and ChargeCategory = 'Usage'
      and ResourceId is not null
      and x_ChargeDate > {{ days_before(last_day, c.lookback_days) }}
    group by all
),

buckets as (
    select
        resource_id,
        any_value(region) as region,
        any_value(billing_account_id) as billing_account_id,
        any_value(sub_account_id) as sub_account_id,
        any_value(currency) as currency,
        {{ agg_where('count', '*', "meter = 'TimedStorage-ByteHrs' and quantity > 0") }} as standard_days,
        -- A day's GB-months times the month's days is the GB stored that day.
        {{ agg_where('sum', 'quantity * ' ~ days_in_month('charge_date'), "meter = 'TimedStorage-ByteHrs'") }}
            / {{ c.lookback_days }} as standard_gb,
        {{ agg_where('sum', 'effective_cost', "meter = 'TimedStorage-ByteHrs'") }}
            / nullif({{ agg_where('sum', 'list_cost', "meter = 'TimedStorage-ByteHrs'") }}, 0) as rate_to_list,
        coalesce({{ agg_where('sum', 'quantity', "meter = 'Requests-Tier2'") }}, 0) / {{ c.lookback_days }} * 730 / 24 as gets_per_month,
        coalesce({{ agg_where('sum', 'quantity', "meter = 'Requests-Tier1'") }}, 0) / {{ c.lookback_days }} * 730 / 24 as puts_per_month,
        {{ agg_where('count', '*', "meter like 'TimedStorage-%' and meter <> 'TimedStorage-ByteHrs' and quantity > 0") }} as other_class_lines
    from daily
    group by resource_id
),

prices as (
    select
        region,
        currency,
        {{ typecast(agg_where('max', 'price', "storage_type = 'object_standard' and unit = 'GB-Mo'"), 'double') }} as standard,
        {{ typecast(agg_where('max', 'price', "storage_type = 'object_standard_ia' and unit = 'GB-Mo'"), 'double') }} as standard_ia,
        {{ typecast(agg_where('max', 'price', "storage_type = 'object_standard_ia_retrieval'"), 'double') }} as ia_retrieval_gb,
        {{ typecast(agg_where('max', 'price', "storage_type = 'object_requests_tier2'"), 'double') }} as get,
        {{ typecast(agg_where('max', 'price', "storage_type = 'object_standard_ia_requests_tier2'"), 'double') }} as ia_get,
        {{ typecast(agg_where('max', 'price', "storage_type = 'object_transition_standard_ia'"), 'double') }} as transition
    from {{ ref('catalog_storage_prices') }}
    where provider = 'aws'
    group by all
),

costed as (
    select
        b.*,
        p.standard, p.standard_ia, p.ia_retrieval_gb, p.get, p.ia_get, p.transition,
        b.gets_per_month / b.standard_gb as gets_per_gb_month,
        b.standard_gb * (p.standard - p.standard_ia) as storage_saved,
        b.puts_per_month * p.transition as transition_cost,
        b.gets_per_month * (p.ia_get - p.get)
            + b.gets_per_month * {{ c.assumed_object_mb }} / 1024 * p.ia_retrieval_gb as retrieval_cost
    from buckets b
    join prices p on p.region = b.region and p.currency = b.currency
    where b.standard_days = {{ c.lookback_days }}
      and b.other_class_lines = 0
      and b.standard_gb >= {{ c.min_gb_month }}
      and b.gets_per_month / b.standard_gb < {{ c.max_gets_per_gb_month }}
)

select
    'bucket_lifecycle' as detector,
    'storage' as category,
    'add_lifecycle_rule' as action,
    'aws' as provider, c.billing_account_id, c.sub_account_id, c.resource_id, 'bucket' as resource_type, c.region,
    'S3 Standard ' || {{ as_text(typecast('round(c.standard_gb)', 'bigint')) }} || ' GB, ' || {{ as_text('round(c.gets_per_gb_month, 2)') }} || ' GETs per GB-month' as current_configuration,
    'lifecycle: STANDARD_IA after {{ c.transition_days }} days' as target_configuration,
    {{ typecast('((c.storage_saved - c.transition_cost - c.retrieval_cost) * coalesce(c.rate_to_list, 1))', 'decimal(18, 2)') }} as estimated_monthly_savings,
    {{ typecast('(c.storage_saved - c.transition_cost - c.retrieval_cost)', 'decimal(18, 2)') }} as estimated_monthly_savings_at_list,
    c.currency,
    {{ c.lookback_days }} as lookback_days,
    {% call json_object_text() %}'standard_gb', round(c.standard_gb, 2), 'gets_per_month', round(c.gets_per_month),
        'gets_per_gb_month', round(c.gets_per_gb_month, 3), 'puts_per_month', round(c.puts_per_month),
        'standard_price_gb_month', c.standard, 'standard_ia_price_gb_month', c.standard_ia,
        'storage_saved', round(c.storage_saved, 2), 'transition_cost', round(c.transition_cost, 2),
        'retrieval_cost', round(c.retrieval_cost, 2), 'assumed_object_mb', {{ c.assumed_object_mb }}{% endcall %} as evidence,
    'Bucket ' || c.resource_id || ' keeps ' || {{ as_text(typecast('round(c.standard_gb)', 'bigint')) }} || ' GB in S3 Standard, read '
        || {{ as_text('round(c.gets_per_gb_month, 2)') }} || ' times per GB a month over ' || {{ as_text(c.lookback_days) }}
        || ' days: a lifecycle rule moving objects to Standard-IA after {{ c.transition_days }} days saves '
        || {{ as_text(typecast('round(100 * (1 - c.standard_ia / c.standard))', 'int')) }} || '% of their storage price. Standard-IA bills at least 30 days and 128 KB per object.' as explanation,
    0.8 as confidence,
    'billing' as data_source,
    r.tags
from costed c
left join {{ ref('resources') }} r using (resource_id)
where c.storage_saved - c.transition_cost - c.retrieval_cost > 0
