-- GCP billing export rows as FOCUS 1.2 rows.
-- Committed use discounts: the commitment fee ("Commitment v1: ...") is a recurring Purchase
-- with EffectiveCost 0. Covered usage keeps its on-demand cost less the CUD credit as BilledCost;
-- its EffectiveCost adds the commitment's price for what it consumed (covered on-demand cost x
-- (1 - the published CUD discount), capped at the day's fee). What the fee leaves unused becomes
-- a Usage row with CommitmentDiscountStatus Unused, so usage + unused = the fee, exactly.
-- Everything is worked out within one invoice month (billing_period): a month restated or added
-- is rebuilt from its own rows alone, and a full build gives the same rows. Stored as a table,
-- incremental by billing period: GCP's commitment split reads a month's rows several times, so
-- DuckDB computes it whole, and a filter from focus_costs' incremental run would not reach the
-- export's scan through it; here the filter is on the scan itself.
-- Line-level CTEs are not materialized (each is read once in full, again only through a filter
-- that reaches the export's scan); the aggregates read a narrow copy (keys, keyed). Materialized
-- whole, the wide ones spilled ~47 GB at 100M line items.
{{ config(materialized='incremental', unique_key='x_BillingPeriod') }}
{#- BigQuery: a view, as the other intermediate models. -#}
{% if target.type == 'bigquery' %}{{ config(materialized='view') }}{% endif %}
{% set price_case %}case when any_value(lower(sku_description)) like '%3 year%' then {{ var('gcp_cud_discount_3_year') }}
                 else {{ var('gcp_cud_discount_1_year') }} end{% endset -%}
{% set rate_case %}case
            when coalesce(c.covered_on_demand, 0) = 0 then 0
            else least(f.price_ratio, {{ cast('f.fee / c.covered_on_demand', 'decimal(38, 18)') }})
        end{% endset -%}
with lines as {{ cte_materialized(false) }} (
    select
        *,
        -- "Commitment v1: …" (2019 exports write it in lower case).
        lower(sku_description) like 'commitment%' as is_fee,
        -- The kind from the global name's collection; real exports also write it singular
        -- (//compute.googleapis.com/projects/…/zones/…/disk/573…).
        case
            when {{ regexp_contains('resource_id', "'/instances?/'") }} then 'virtual_machine'
            when {{ regexp_contains('resource_id', "'/disks?/'") }} then 'volume'
            when {{ regexp_contains('resource_id', "'/snapshots?/'") }} then 'snapshot'
            when {{ regexp_contains('resource_id', "'/addresses/|/address/'") }} then 'public_ip'
            when {{ regexp_contains('resource_id', "'/buckets?/'") }} then 'bucket'
        end as resource_kind,
        -- Exports where the amount in pricing units is 0 while the usage (in the same unit) and its
        -- cost are not: the pricing quantity is the usage amount, said in x_UnitPriceSource.
        coalesce(usage_quantity, 0) = 0 and coalesce(usage_amount, 0) <> 0 and usage_unit = unit as quantity_from_usage
    from {{ ref('stg_gcp__billing_export_lines') }}
    {% if is_incremental() %}
    where billing_period in ({{ unbuilt_load_periods(this, ['raw.gcp_billing_export_lines']) }})
    {% endif %}
),

-- What the commitment split needs of each line.
keys as {{ cte_materialized(true) }} (
    select billing_account_id, sub_account_id, billing_period, sku_id, usage_start, cost, cud_credits, cud_commitment_id,
        is_fee, case when is_fee then sku_description end as sku_description
    from lines
),

-- The fee rows do not name their commitment; a project's CUD credits do.
project_commitments as (
    select billing_account_id, sub_account_id, billing_period, any_value(cud_commitment_id) as commitment_id
    from keys
    where cud_commitment_id is not null
    group by all
),

-- Exports from before credits carried ids (2019) link covered usage to a fee by where it was
-- bought: the project's one commitment, else its billing account's one (commitments shared across
-- the account's projects). Where that is ambiguous the usage stays unlinked.
fees as (
    select distinct billing_account_id, sub_account_id, billing_period,
        'commitment:' || coalesce(sub_account_id, '') || ':' || sku_id as fee_commitment_id
    from keys
    where is_fee
),

project_fees as (
    select billing_account_id, sub_account_id, billing_period, count(*) as fee_skus, any_value(fee_commitment_id) as fee_commitment_id
    from fees
    group by all
),

account_fees as (
    select billing_account_id, billing_period, count(*) as fee_skus, any_value(fee_commitment_id) as fee_commitment_id
    from fees
    group by all
),

-- Every line with the commitment it is about: a fee its project's, covered usage its credit's.
{% set commitment_id -%}
        case
            when l.is_fee then coalesce(p.commitment_id, 'commitment:' || coalesce(l.sub_account_id, '') || ':' || l.sku_id)
            when l.cud_commitment_id is not null then l.cud_commitment_id
            when l.cud_credits <> 0 and f.fee_skus = 1 then coalesce(p.commitment_id, f.fee_commitment_id)
            when l.cud_credits <> 0 and f.fee_skus is null and a.fee_skus = 1 then a.fee_commitment_id
        end as commitment_id
{%- endset %}
{% set commitment_joins -%}
    left join project_commitments p on p.billing_account_id = l.billing_account_id
        and p.sub_account_id is not distinct from l.sub_account_id and p.billing_period = l.billing_period
    left join project_fees f on f.billing_account_id = l.billing_account_id
        and f.sub_account_id is not distinct from l.sub_account_id and f.billing_period = l.billing_period
    left join account_fees a on a.billing_account_id = l.billing_account_id and a.billing_period = l.billing_period
{%- endset %}
keyed as {{ cte_materialized(true) }} (
    select l.billing_period, l.usage_start, l.cost, l.cud_credits, l.is_fee, l.sku_description, {{ commitment_id }}
    from keys l
    {{ commitment_joins }}
),

committed as {{ cte_materialized(false) }} (
    select
        l.* replace (case when l.quantity_from_usage then l.usage_amount else l.usage_quantity end as usage_quantity),
        {{ commitment_id }}
    from lines l
    {{ commitment_joins }}
),

fee_days as (
    select
        commitment_id,
        billing_period,
        {{ typecast('usage_start', 'date') }} as day,
        sum(cost) as fee,
        1 - {{ cast(price_case, 'decimal(38, 10)') }} as price_ratio
    from keyed
    where is_fee
    group by all
),

-- On-demand cost each commitment's credits covered, per day.
covered_days as (
    select commitment_id, billing_period, {{ typecast('usage_start', 'date') }} as day, -sum(cud_credits) as covered_on_demand
    from keyed
    where not is_fee and commitment_id is not null
    group by all
),

allocation as (
    select
        f.commitment_id,
        f.billing_period,
        f.day,
        f.fee,
        -- Share of each covered on-demand dollar charged to the commitment (exact decimals: DuckDB
        -- divides decimals as doubles, so the quotient is cast back).
        {{ typecast(rate_case, 'decimal(38, 18)') }} as rate
    from fee_days f
    left join covered_days c using (commitment_id, billing_period, day)
),

-- A usage line its CUD credit covers only in part is two FOCUS rows: the covered share (Committed,
-- its commitment's cost as EffectiveCost) and the rest at on-demand, with the row's other credits.
-- Only the covered share is used commitment, so used + unused = the fees for partial coverage too.
{% set whole -%}
coalesce(l.is_fee or l.commitment_id is null or l.cost = 0 or -l.cud_credits >= l.cost, true)
{%- endset -%}
parts as {{ cte_materialized(false) }} (
    select l.*, p.part,
        case
            when p.part = 'whole' then {{ typecast('1', 'decimal(38, 10)') }}
            when p.part = 'covered' then {{ cast('-l.cud_credits / nullif(l.cost, 0)', 'decimal(38, 10)') }}
            else 1 - {{ cast('-l.cud_credits / nullif(l.cost, 0)', 'decimal(38, 10)') }}
        end as share
    from committed l
    join {{ values_table(["'whole'", "'covered'", "'rest'"], 'p', 'part') }} on (p.part = 'whole') = {{ whole }}
),

split as {{ cte_materialized(false) }} (
    select
        * replace (
            case when part = 'rest' then null else commitment_id end as commitment_id,
            case when part = 'covered' then -cud_credits when part = 'rest' then cost + cud_credits else cost end as cost,
            case when part = 'covered' then cud_credits when part = 'rest' then credits - cud_credits else credits end as credits,
            case when part = 'rest' then 0 else cud_credits end as cud_credits,
            case when part = 'whole' then usage_quantity else {{ cast('usage_quantity * share', 'decimal(38, 10)') }} end as usage_quantity,
            case when part = 'whole' then cost_at_list else {{ cast('cost_at_list * share', 'decimal(38, 10)') }} end as cost_at_list
        )
    from parts
),

billed_rows as {{ cte_materialized(false) }} (
    select
        l.*,
        case when l.is_fee then l.cost end as fee,
        case
            when l.cost_type = 'tax' then 'Tax'
            when l.is_fee then 'Purchase'
            when l.cost_type = 'adjustment' then 'Adjustment'
            else 'Usage'
        end as charge_category,
        'billed' as row_kind,
        l.cost + l.credits as billed_cost,
        case
            when l.is_fee then 0
            else l.cost + l.credits - {{ cast('l.cud_credits * coalesce(a.rate, 0)', 'decimal(38, 10)') }}
        end as effective_cost
    from split l
    left join allocation a on a.commitment_id = l.commitment_id and a.billing_period = l.billing_period
        and not l.is_fee and a.day = {{ typecast('l.usage_start', 'date') }}
),

-- What each commitment's covered usage consumed, per day: a covered line (or a line's covered
-- share) consumes its CUD credit at the allocation's rate.
used_days as (
    select k.commitment_id, k.billing_period, {{ typecast('k.usage_start', 'date') }} as day,
        sum({{ cast('-k.cud_credits * a.rate', 'decimal(38, 10)') }}) as used
    from keyed k
    join allocation a on a.commitment_id = k.commitment_id and a.billing_period = k.billing_period
        and not k.is_fee and a.day = {{ typecast('k.usage_start', 'date') }}
    group by all
),

-- One Unused row per commitment and day, carrying the day's fee less what usage consumed.
unused as (
    select
        r.* replace (
            'Usage' as charge_category,
            'unused' as row_kind,
            0 as billed_cost,
            f.fee - coalesce(u.used, 0) as effective_cost,
            f.fee as fee,
            0 as cost,
            0 as credits,
            0 as cud_credits,
            {{ typecast(typecast('r.usage_start', 'date'), 'timestamp') }} as usage_start,
            {{ dateadd('day', 1, typecast(typecast('r.usage_start', 'date'), 'timestamp')) }} as usage_end,
            'Unused commitment: ' || r.sku_description as sku_description
        )
    from (
        select *, row_number() over (partition by commitment_id, billing_period, {{ typecast('usage_start', 'date') }} order by usage_start) as nth
        from billed_rows where is_fee
    ) r
    join fee_days f on f.commitment_id = r.commitment_id and f.billing_period = r.billing_period
        and f.day = {{ typecast('r.usage_start', 'date') }}
    left join used_days u on u.commitment_id = r.commitment_id and u.billing_period = r.billing_period
        and u.day = {{ typecast('r.usage_start', 'date') }}
    where r.nth = 1 and f.fee - coalesce(u.used, 0) > 0
),

focus as (
    select * from billed_rows
    {{ union_all_by_name() }}
    select * from unused
)

select
    zone                                                                as AvailabilityZone,
    billed_cost                                                         as BilledCost,
    billing_account_id                                                  as BillingAccountId,
    {{ typecast('null', 'varchar') }}                                                       as BillingAccountName,
    'Billing Account'                                                   as BillingAccountType,
    currency                                                            as BillingCurrency,
    {{ dateadd('month', 1, parse_datetime('invoice_month', "'%Y%m'")) }}                  as BillingPeriodEnd,
    {{ parse_datetime('invoice_month', "'%Y%m'") }}                                     as BillingPeriodStart,
    {{ typecast('null', 'varchar') }}                                                       as CapacityReservationId,
    {{ typecast('null', 'varchar') }}                                                       as CapacityReservationStatus,
    charge_category                                                     as ChargeCategory,
    {{ typecast('null', 'varchar') }}                                                       as ChargeClass,
    sku_description                                                     as ChargeDescription,
    case
        when charge_category = 'Usage' then 'Usage-Based'
        when is_fee then 'Recurring'
        else 'One-Time'
    end                                                                 as ChargeFrequency,
    coalesce(usage_end, {{ dateadd('hour', 1, 'usage_start') }})                  as ChargePeriodEnd,
    usage_start                                                         as ChargePeriodStart,
    case when commitment_id is not null then 'Usage' end                as CommitmentDiscountCategory,
    commitment_id                                                       as CommitmentDiscountId,
    case when commitment_id is not null then {{ regexp_extract('commitment_id', "'[^/:]+$'") }} end as CommitmentDiscountName,
    case
        when commitment_id is null then null
        when row_kind = 'unused' then {{ cast('usage_quantity * ' ~ cast('effective_cost / nullif(fee, 0)', 'decimal(38, 10)'), 'decimal(38, 10)') }}
        else usage_quantity
    end                                                                 as CommitmentDiscountQuantity,
    case when commitment_id is not null and charge_category = 'Usage' then case when row_kind = 'unused' then 'Unused' else 'Used' end end as CommitmentDiscountStatus,
    case when commitment_id is not null then 'Committed Use Discount' end as CommitmentDiscountType,
    case when commitment_id is not null then coalesce(unit, 'hour') end as CommitmentDiscountUnit,
    case when charge_category = 'Usage' and row_kind = 'billed' then coalesce(usage_quantity, 0) end as ConsumedQuantity,
    case when charge_category = 'Usage' and row_kind = 'billed' then coalesce(unit, 'Units') end as ConsumedUnit,
    -- No negotiated rates in the standard export: contracted = on-demand, before credits.
    case when row_kind = 'unused' then 0 when charge_category = 'Credit' then billed_cost else cost end as ContractedCost,
    effective_cost                                                      as EffectiveCost,
    {{ typecast('null', 'varchar') }}                                                       as InvoiceId,
    'Google Cloud'                                                      as InvoiceIssuerName,
    -- cost_at_list where the export has it (list price before negotiated discounts), else cost.
    case when row_kind = 'unused' then 0 else coalesce(cost_at_list, cost) end as ListCost,
    case
        when charge_category = 'Tax' then null
        when commitment_id is not null and charge_category = 'Usage' then 'Committed'
        when charge_category in ('Usage', 'Purchase') then 'Standard'
    end                                                                 as PricingCategory,
    case when charge_category in ('Usage', 'Purchase') then coalesce(usage_quantity, 0) end as PricingQuantity,
    case when charge_category in ('Usage', 'Purchase') then coalesce(unit, 'Units') end as PricingUnit,
    'Google Cloud'                                                      as ProviderName,
    'Google Cloud'                                                      as PublisherName,
    region                                                              as RegionId,
    region                                                              as RegionName,
    case when row_kind = 'unused' then commitment_id else resource_id end as ResourceId,
    case when row_kind = 'unused' then {{ regexp_extract('commitment_id', "'[^/:]+$'") }} when resource_id is not null then resource_name end as ResourceName,
    case
        when row_kind = 'unused' then 'Commitment'
        when resource_id is not null then coalesce({{ focus_resource_type('resource_kind') }}, service_name)
    end                                                                 as ResourceType,
    service_name                                                        as ServiceName,
    case when charge_category <> 'Tax' then sku_id end                  as SkuId,
    case when charge_category <> 'Tax' then sku_description end         as SkuMeter,
    {{ typecast('null', 'json') }}                                                          as SkuPriceDetails,
    case when charge_category <> 'Tax' then sku_id || ':' || coalesce(unit, '') end as SkuPriceId,
    sub_account_id                                                      as SubAccountId,
    coalesce(sub_account_name, sub_account_id)                          as SubAccountName,
    case when sub_account_id is not null then 'Project' end             as SubAccountType,
    tags                                                                as Tags,
    'gcp'                                                               as x_Provider,
    resource_kind                                                       as x_ResourceKind,
    coalesce(machine_spec, nullif({{ regexp_extract('sku_description', "'\\(([^)]+)\\)'", 1) }}, '')) as x_InstanceType,
    cost_type                                                           as x_CostType,
    credits - cud_credits                                               as x_OtherCredits,
    case when quantity_from_usage and charge_category in ('Usage', 'Purchase') then {{ string_literal("cost / usage amount (the export's amount in pricing units is 0)") }} end as x_UnitPriceSource,
    service_code                                                        as x_ServiceCode,
    billing_period                                                      as x_BillingPeriod,
    'gcp_billing_export' as x_SourceDataset,
    source_file                                                         as x_SourceFile,
    load_id                                                             as x_LoadId
from focus
