-- GCP billing export rows as FOCUS 1.2 rows.
-- Committed use discounts: the commitment fee ("Commitment v1: ...") is a recurring Purchase
-- with EffectiveCost 0. Covered usage keeps its on-demand cost less the CUD credit as BilledCost;
-- its EffectiveCost adds the commitment's price for what it consumed (covered on-demand cost x
-- (1 - the published CUD discount), capped at the day's fee). What the fee leaves unused becomes
-- a Usage row with CommitmentDiscountStatus Unused, so usage + unused = the fee, exactly.
with lines as (
    select
        *,
        sku_description like 'Commitment%' as is_fee,
        case
            when resource_id like '%/instances/%' then 'virtual_machine'
            when resource_id like '%/disks/%' then 'volume'
            when resource_id like '%/snapshots/%' then 'snapshot'
            when resource_id like '%/addresses/%' then 'public_ip'
            when resource_id like '%/buckets/%' then 'bucket'
        end as resource_kind
    from {{ ref('stg_gcp__billing_export_lines') }}
),

-- The fee rows do not name their commitment; a project's CUD credits do.
project_commitments as (
    select billing_account_id, sub_account_id, any_value(cud_commitment_id) as commitment_id
    from lines
    where cud_commitment_id is not null
    group by all
),

-- Every line with the commitment it is about: a fee its project's, covered usage its credit's.
committed as (
    select
        l.*,
        case
            when l.is_fee then coalesce(p.commitment_id, 'commitment:' || l.sub_account_id || ':' || l.sku_id)
            else l.cud_commitment_id
        end as commitment_id
    from lines l
    left join project_commitments p on l.is_fee and p.billing_account_id = l.billing_account_id
        and p.sub_account_id is not distinct from l.sub_account_id
),

fee_days as (
    select
        commitment_id,
        usage_start::date as day,
        sum(cost) as fee,
        1 - case when any_value(sku_description) like '%3 Year%' then {{ var('gcp_cud_discount_3_year') }}
                 else {{ var('gcp_cud_discount_1_year') }} end as price_ratio
    from committed
    where is_fee
    group by all
),

covered_days as (
    select cud_commitment_id as commitment_id, usage_start::date as day, -sum(cud_credits) as covered_on_demand
    from lines
    where cud_commitment_id is not null
    group by all
),

allocation as (
    select
        f.commitment_id,
        f.day,
        f.fee,
        -- Share of each covered on-demand dollar charged to the commitment.
        case
            when coalesce(c.covered_on_demand, 0) = 0 then 0
            else least(f.price_ratio, f.fee / c.covered_on_demand)
        end as rate
    from fee_days f
    left join covered_days c using (commitment_id, day)
),

rows as (
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
            else l.cost + l.credits - l.cud_credits * coalesce(a.rate, 0)
        end as effective_cost
    from committed l
    left join allocation a on a.commitment_id = l.cud_commitment_id and a.day = l.usage_start::date
),

used_days as (
    select l.cud_commitment_id as commitment_id, l.usage_start::date as day, sum(-l.cud_credits * a.rate) as used
    from lines l
    join allocation a on a.commitment_id = l.cud_commitment_id and a.day = l.usage_start::date
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
            r.usage_start::date::timestamp as usage_start,
            r.usage_start::date::timestamp + interval 1 day as usage_end,
            'Unused commitment: ' || r.sku_description as sku_description
        )
    from (
        select *, row_number() over (partition by commitment_id, usage_start::date order by usage_start) as nth
        from rows where is_fee
    ) r
    join fee_days f on f.commitment_id = r.commitment_id and f.day = r.usage_start::date
    left join used_days u on u.commitment_id = r.commitment_id and u.day = r.usage_start::date
    where r.nth = 1 and f.fee - coalesce(u.used, 0) > 0
),

focus as (
    select * from rows
    union all by name
    select * from unused
)

select
    zone                                                                as AvailabilityZone,
    billed_cost                                                         as BilledCost,
    billing_account_id                                                  as BillingAccountId,
    null::varchar                                                       as BillingAccountName,
    'Billing Account'                                                   as BillingAccountType,
    currency                                                            as BillingCurrency,
    strptime(invoice_month, '%Y%m') + interval 1 month                  as BillingPeriodEnd,
    strptime(invoice_month, '%Y%m')                                     as BillingPeriodStart,
    null::varchar                                                       as CapacityReservationId,
    null::varchar                                                       as CapacityReservationStatus,
    charge_category                                                     as ChargeCategory,
    null::varchar                                                       as ChargeClass,
    sku_description                                                     as ChargeDescription,
    case
        when charge_category = 'Usage' then 'Usage-Based'
        when is_fee then 'Recurring'
        else 'One-Time'
    end                                                                 as ChargeFrequency,
    coalesce(usage_end, usage_start + interval 1 hour)                  as ChargePeriodEnd,
    usage_start                                                         as ChargePeriodStart,
    case when commitment_id is not null then 'Usage' end                as CommitmentDiscountCategory,
    commitment_id                                                       as CommitmentDiscountId,
    case when commitment_id is not null then regexp_extract(commitment_id, '[^/:]+$') end as CommitmentDiscountName,
    case
        when commitment_id is null then null
        when row_kind = 'unused' then round(usage_quantity * effective_cost / nullif(fee, 0), 10)
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
    null::varchar                                                       as InvoiceId,
    'Google Cloud'                                                      as InvoiceIssuerName,
    case when row_kind = 'unused' then 0 else cost end                  as ListCost,
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
    case when row_kind = 'unused' then regexp_extract(commitment_id, '[^/:]+$') when resource_id is not null then resource_name end as ResourceName,
    case
        when row_kind = 'unused' then 'Commitment'
        when resource_id is not null then coalesce({{ focus_resource_type('resource_kind') }}, service_name)
    end                                                                 as ResourceType,
    service_name                                                        as ServiceName,
    case when charge_category <> 'Tax' then sku_id end                  as SkuId,
    case when charge_category <> 'Tax' then sku_description end         as SkuMeter,
    null::json                                                          as SkuPriceDetails,
    case when charge_category <> 'Tax' then sku_id || ':' || coalesce(unit, '') end as SkuPriceId,
    sub_account_id                                                      as SubAccountId,
    coalesce(sub_account_name, sub_account_id)                          as SubAccountName,
    case when sub_account_id is not null then 'Project' end             as SubAccountType,
    tags                                                                as Tags,
    'gcp'                                                               as x_Provider,
    resource_kind                                                       as x_ResourceKind,
    nullif(regexp_extract(sku_description, '\(([^)]+)\)', 1), '')       as x_InstanceType,
    cost_type                                                           as x_CostType,
    credits - cud_credits                                               as x_OtherCredits,
    service_code                                                        as x_ServiceCode,
    billing_period                                                      as x_BillingPeriod,
    'gcp_billing_export' as x_SourceDataset,
    source_file                                                         as x_SourceFile,
    load_id                                                             as x_LoadId
from focus
