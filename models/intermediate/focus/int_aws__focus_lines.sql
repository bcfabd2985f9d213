-- AWS CUR (2.0 and legacy) as FOCUS 1.2 rows.
-- Commitments the way FOCUS models them (and AWS's own FOCUS export does):
--   * covered usage (DiscountedUsage, SavingsPlanCoveredUsage) is Usage, PricingCategory Committed,
--     EffectiveCost its amortized commitment cost;
--   * a SavingsPlanNegation row cancels its covered usage's on-demand BilledCost; it stays (so BilledCost
--     sums to the invoice even in exports that leave a negation out), with every other measure 0;
--   * RIFee / SavingsPlanRecurringFee / upfront Fee rows are Purchases with EffectiveCost 0;
--   * what a fee leaves unused becomes its own Usage row, CommitmentDiscountStatus Unused.
with lines as (
    select * from {{ ref('stg_aws__cur2_line_items') }}
    union all by name
    select * from {{ ref('stg_aws__cur_legacy_line_items') }}
),

classified as (
    select
        *,
        case
            when line_item_type in ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage', 'SavingsPlanNegation') then 'Usage'
            when line_item_type in ('Fee', 'RIFee', 'SavingsPlanRecurringFee', 'SavingsPlanUpfrontFee') then 'Purchase'
            when line_item_type = 'Tax' then 'Tax'
            when line_item_type in ('Credit', 'EdpDiscount', 'BundledDiscount', 'PrivateRateDiscount', 'SppDiscount', 'DistributorDiscount') then 'Credit'
            else 'Adjustment'
        end as charge_category,
        line_item_type in ('DiscountedUsage', 'SavingsPlanCoveredUsage') as is_covered,
        coalesce(savings_plan_arn, reservation_arn) is not null
            and line_item_type in ('DiscountedUsage', 'SavingsPlanCoveredUsage', 'SavingsPlanNegation', 'RIFee', 'SavingsPlanRecurringFee', 'SavingsPlanUpfrontFee', 'Fee')
            as is_commitment_row,
        case
            when usage_type like '%BoxUsage%' or usage_type like '%SpotUsage%' then 'virtual_machine'
            when usage_type like '%EBS:VolumeUsage%' then 'volume'
            when usage_type like '%SnapshotUsage%' then 'snapshot'
            when usage_type like '%IdleAddress%' or usage_type like '%InUseAddress%' then 'public_ip'
            when usage_type like '%TimedStorage%' then 'bucket'
        end as resource_kind
    from lines
    -- Rows with neither a line item type nor a cost (placeholder rows some exports carry) are not charges.
    where line_item_type is not null or coalesce(unblended_cost, 0) <> 0
),

costed as not materialized (
    select
        *,
        case
            when line_item_type = 'SavingsPlanNegation' then 0
            when line_item_type = 'SavingsPlanCoveredUsage' then savings_plan_effective_cost
            when line_item_type = 'DiscountedUsage' then reservation_effective_cost
            when charge_category = 'Purchase' then 0
            else unblended_cost
        end as line_effective_cost,
        case
            when line_item_type = 'SavingsPlanNegation' then 0
            when is_covered or line_item_type = 'Usage' then coalesce(public_on_demand_cost, unblended_cost)
            else unblended_cost
        end as line_list_cost,
        -- No negotiated rates in CUR beyond separate discount lines: a covered line's contracted cost is its on-demand cost.
        case
            when line_item_type = 'SavingsPlanNegation' then 0
            when is_covered then coalesce(public_on_demand_cost, unblended_cost)
            else unblended_cost
        end as line_contracted_cost,
        case when line_item_type = 'SavingsPlanNegation' then 0 else usage_quantity end as quantity,
        case
            when charge_category <> 'Purchase' or not is_commitment_row then null
            when line_item_type = 'RIFee' then reservation_unused_recurring_fee
            when line_item_type = 'SavingsPlanRecurringFee' then savings_plan_total_commitment - savings_plan_used_commitment
        end as unused_cost
    from classified
),

-- A fee that leaves part of its commitment unused yields a second row: FOCUS's "Unused" usage row.
-- (Not materialized: the fee rows are found again by a filtered scan, not by copying every line.)
focus as (
    select *, 'billed' as row_kind from costed
    union all
    select *, 'unused' as row_kind from costed where unused_cost > 0
),

focus_rows as (
    select
        * replace (
            case when row_kind = 'unused' then 'Usage' else charge_category end as charge_category,
            case when row_kind = 'unused' then null else resource_kind end as resource_kind,
            case when row_kind = 'unused' then 'Unused commitment: ' || coalesce(description, line_item_type)
                 else description end as description
        ),
        case when row_kind = 'unused' then 0 else unblended_cost end as billed_cost,
        case when row_kind = 'unused' then unused_cost else line_effective_cost end as effective_cost,
        case when row_kind = 'unused' then 0 else line_list_cost end as list_cost,
        case when row_kind = 'unused' then 0 else line_contracted_cost end as contracted_cost
    from focus
)

select
    availability_zone                                                   as AvailabilityZone,
    billed_cost                                                         as BilledCost,
    billing_account_id                                                  as BillingAccountId,
    billing_account_name                                                as BillingAccountName,
    'Payer Account'                                                     as BillingAccountType,
    currency                                                            as BillingCurrency,
    coalesce(billing_period_end, strptime(billing_period, '%Y-%m') + interval 1 month)  as BillingPeriodEnd,
    coalesce(billing_period_start, strptime(billing_period, '%Y-%m'))   as BillingPeriodStart,
    null::varchar                                                       as CapacityReservationId,
    null::varchar                                                       as CapacityReservationStatus,
    charge_category                                                     as ChargeCategory,
    null::varchar                                                       as ChargeClass,
    coalesce(description, line_item_type)                               as ChargeDescription,
    case
        when charge_category = 'Usage' then 'Usage-Based'
        when line_item_type in ('RIFee', 'SavingsPlanRecurringFee') then 'Recurring'
        else 'One-Time'
    end                                                                 as ChargeFrequency,
    coalesce(usage_end, usage_start + interval 1 hour)                  as ChargePeriodEnd,
    usage_start                                                         as ChargePeriodStart,
    case when is_commitment_row then case when savings_plan_arn is not null then 'Spend' else 'Usage' end end as CommitmentDiscountCategory,
    case when is_commitment_row then coalesce(savings_plan_arn, reservation_arn) end as CommitmentDiscountId,
    null::varchar                                                       as CommitmentDiscountName,
    case
        when not is_commitment_row then null
        -- Savings Plans commit to spend per hour: quantities are in the billing currency.
        when savings_plan_arn is not null then case
            when row_kind = 'unused' then unused_cost
            when line_item_type = 'SavingsPlanNegation' then 0
            when is_covered then savings_plan_effective_cost
            else savings_plan_total_commitment
        end
        when row_kind = 'unused' then coalesce(reservation_unused_quantity,
            unused_cost / nullif(unblended_cost, 0) * usage_quantity)
        else usage_quantity
    end                                                                 as CommitmentDiscountQuantity,
    case
        when not is_commitment_row then null
        when row_kind = 'billed' and (is_covered or line_item_type = 'SavingsPlanNegation') then 'Used'
        when row_kind = 'unused' then 'Unused'
    end                                                                 as CommitmentDiscountStatus,
    case when is_commitment_row then case when savings_plan_arn is not null then 'Savings Plan' else 'Reserved Instance' end end as CommitmentDiscountType,
    case when is_commitment_row then case when savings_plan_arn is not null then currency else 'Hours' end end as CommitmentDiscountUnit,
    case when charge_category = 'Usage' and row_kind = 'billed' then coalesce(quantity, 0) end as ConsumedQuantity,
    case when charge_category = 'Usage' and row_kind = 'billed' then coalesce(pricing_unit, 'Units') end as ConsumedUnit,
    contracted_cost                                                     as ContractedCost,
    effective_cost                                                      as EffectiveCost,
    invoice_id                                                          as InvoiceId,
    -- The invoicing legal entity (e.g. Amazon Web Services EMEA SARL) is AWS itself, not a reseller.
    'AWS'                                                               as InvoiceIssuerName,
    list_cost                                                           as ListCost,
    -- The export's own rates; where one is missing the mart derives it from cost and quantity.
    case
        when charge_category not in ('Usage', 'Purchase') then null
        when row_kind = 'unused' or line_item_type = 'SavingsPlanNegation' then 0
        when is_covered or line_item_type = 'Usage' then public_on_demand_rate
        else unblended_rate
    end                                                                 as ListUnitPrice,
    case
        when charge_category not in ('Usage', 'Purchase') then null
        when row_kind = 'unused' or line_item_type = 'SavingsPlanNegation' then 0
        when is_covered then public_on_demand_rate
        else unblended_rate
    end                                                                 as ContractedUnitPrice,
    case
        when charge_category = 'Tax' then null
        when is_covered or line_item_type = 'SavingsPlanNegation' then 'Committed'
        when row_kind = 'unused' then 'Committed'
        when pricing_term = 'Spot' or usage_type like '%SpotUsage%' then 'Dynamic'
        when charge_category in ('Usage', 'Purchase') then 'Standard'
    end                                                                 as PricingCategory,
    case when charge_category in ('Usage', 'Purchase') then coalesce(quantity, 0) end as PricingQuantity,
    case when charge_category in ('Usage', 'Purchase') then coalesce(pricing_unit, 'Units') end as PricingUnit,
    'AWS'                                                               as ProviderName,
    case when billing_entity = 'AWS Marketplace' then coalesce(legal_entity, 'AWS Marketplace') else 'AWS' end as PublisherName,
    region                                                              as RegionId,
    case when region is not null then coalesce(region_name, region) end as RegionName,
    case when row_kind = 'unused' then coalesce(savings_plan_arn, reservation_arn) else resource_id end as ResourceId,
    null::varchar                                                       as ResourceName,
    case when row_kind = 'unused' then case when savings_plan_arn is not null then 'Savings Plan' else 'Reserved Instance' end
         when resource_id is not null then coalesce(
            {{ focus_resource_type('resource_kind') }},
            nullif(product_family, ''), service_name, 'Resource') end    as ResourceType,
    service_name                                                        as ServiceName,
    case when charge_category <> 'Tax' then coalesce(product_sku, service_code || ':' || usage_type) end as SkuId,
    case when charge_category <> 'Tax' then usage_type end              as SkuMeter,
    null::json                                                          as SkuPriceDetails,
    -- Qualified by its SKU, so a price id always has exactly one parent SkuId (FOCUS SkuPriceId-C-008).
    case when charge_category <> 'Tax' then coalesce(product_sku, service_code || ':' || usage_type) || ':'
        || coalesce(pricing_rate_id, pricing_term, 'OnDemand') end as SkuPriceId,
    sub_account_id                                                      as SubAccountId,
    coalesce(sub_account_name, sub_account_id)                          as SubAccountName,
    case when sub_account_id is not null then 'Linked Account' end      as SubAccountType,
    coalesce(tags, '{}'::json)                                          as Tags,
    -- Provider extras (FOCUS allows x_ columns).
    'aws'                                                               as x_Provider,
    resource_kind                                                       as x_ResourceKind,
    coalesce(instance_type, case when usage_type like '%EBS:VolumeUsage.%' then split_part(usage_type, 'EBS:VolumeUsage.', 2) end) as x_InstanceType,
    line_item_type                                                      as x_LineItemType,
    case when is_commitment_row then commitment_start end               as x_CommitmentDiscountStart,
    case when is_commitment_row then commitment_end end                 as x_CommitmentDiscountEnd,
    service_code                                                        as x_ServiceCode,
    billing_period                                                      as x_BillingPeriod,
    'aws_cur' as x_SourceDataset,
    source_file                                                         as x_SourceFile,
    load_id                                                             as x_LoadId
from focus_rows
