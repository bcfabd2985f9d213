-- AWS CUR (2.0 and legacy) as FOCUS 1.2 rows.
-- Commitments the way FOCUS models them (and AWS's own FOCUS export does):
--   * covered usage (DiscountedUsage, SavingsPlanCoveredUsage) is Usage, PricingCategory Committed,
--     EffectiveCost its amortized commitment cost;
--   * a SavingsPlanNegation row cancels its covered usage's on-demand BilledCost; it stays (so BilledCost
--     sums to the invoice even in exports that leave a negation out), with every other measure 0;
--   * RIFee / SavingsPlanRecurringFee / upfront Fee rows are Purchases with EffectiveCost 0;
--   * what a fee leaves unused is carried in x_UnusedCommitmentCost; int_aws__focus_unused_lines
--     turns it into FOCUS's Usage row with CommitmentDiscountStatus Unused.
-- One row per line, in one pass over the lines (no self-reference: that would materialize them).
with lines as (
    select * from {{ ref('stg_aws__cur2_line_items') }}
    {{ union_all_by_name() }}
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
            -- A volume's storage (VolumeUsage) and its provisioned IOPS and throughput lines.
            when usage_type like '%EBS:VolumeUsage%' or usage_type like '%EBS:VolumeP-%' then 'volume'
            when usage_type like '%SnapshotUsage%' then 'snapshot'
            when usage_type like '%IdleAddress%' or usage_type like '%InUseAddress%' then 'public_ip'
            when usage_type like '%TimedStorage%' then 'bucket'
        end as resource_kind
    from lines
    -- Rows with neither a line item type nor a cost (placeholder rows some exports carry) are not charges.
    where line_item_type is not null or coalesce(unblended_cost, 0) <> 0
),

costed as (
    select
        *,
        unblended_cost as billed_cost,
        case
            when line_item_type = 'SavingsPlanNegation' then 0
            when line_item_type = 'SavingsPlanCoveredUsage' then savings_plan_effective_cost
            when line_item_type = 'DiscountedUsage' then reservation_effective_cost
            when charge_category = 'Purchase' then 0
            else unblended_cost
        end as effective_cost,
        case
            when line_item_type = 'SavingsPlanNegation' then 0
            when is_covered or line_item_type = 'Usage' then coalesce(public_on_demand_cost, unblended_cost)
            else unblended_cost
        end as list_cost,
        -- No negotiated rates in CUR beyond separate discount lines: a covered line's contracted cost is its on-demand cost.
        case
            when line_item_type = 'SavingsPlanNegation' then 0
            when is_covered then coalesce(public_on_demand_cost, unblended_cost)
            else unblended_cost
        end as contracted_cost,
        case when line_item_type = 'SavingsPlanNegation' then 0 else usage_quantity end as quantity,
        case
            when not is_commitment_row then null
            when line_item_type = 'RIFee' then reservation_unused_recurring_fee
            when line_item_type = 'SavingsPlanRecurringFee' then savings_plan_total_commitment - savings_plan_used_commitment
        end as unused_cost
    from classified
)

select
    availability_zone                                                   as AvailabilityZone,
    billed_cost                                                         as BilledCost,
    billing_account_id                                                  as BillingAccountId,
    billing_account_name                                                as BillingAccountName,
    'Payer Account'                                                     as BillingAccountType,
    currency                                                            as BillingCurrency,
    coalesce(billing_period_end, {{ dateadd('month', 1, parse_datetime('billing_period', "'%Y-%m'")) }})  as BillingPeriodEnd,
    coalesce(billing_period_start, {{ parse_datetime('billing_period', "'%Y-%m'") }})   as BillingPeriodStart,
    {{ typecast('null', 'varchar') }}                                                       as CapacityReservationId,
    {{ typecast('null', 'varchar') }}                                                       as CapacityReservationStatus,
    charge_category                                                     as ChargeCategory,
    {{ typecast('null', 'varchar') }}                                                       as ChargeClass,
    coalesce(description, line_item_type)                               as ChargeDescription,
    case
        when charge_category = 'Usage' then 'Usage-Based'
        when line_item_type in ('RIFee', 'SavingsPlanRecurringFee') then 'Recurring'
        else 'One-Time'
    end                                                                 as ChargeFrequency,
    coalesce(usage_end, {{ dateadd('hour', 1, 'usage_start') }})                  as ChargePeriodEnd,
    usage_start                                                         as ChargePeriodStart,
    case when is_commitment_row then case when savings_plan_arn is not null then 'Spend' else 'Usage' end end as CommitmentDiscountCategory,
    case when is_commitment_row then coalesce(savings_plan_arn, reservation_arn) end as CommitmentDiscountId,
    {{ typecast('null', 'varchar') }}                                                       as CommitmentDiscountName,
    case
        when not is_commitment_row then null
        -- Savings Plans commit to spend per hour: quantities are in the billing currency.
        when savings_plan_arn is not null then case
            when line_item_type = 'SavingsPlanNegation' then 0
            when is_covered then savings_plan_effective_cost
            else savings_plan_total_commitment
        end
        else usage_quantity
    end                                                                 as CommitmentDiscountQuantity,
    case
        when not is_commitment_row then null
        when is_covered or line_item_type = 'SavingsPlanNegation' then 'Used'
    end                                                                 as CommitmentDiscountStatus,
    case when is_commitment_row then case when savings_plan_arn is not null then 'Savings Plan' else 'Reserved Instance' end end as CommitmentDiscountType,
    case when is_commitment_row then case when savings_plan_arn is not null then currency else 'Hours' end end as CommitmentDiscountUnit,
    case when charge_category = 'Usage' then coalesce(quantity, 0) end as ConsumedQuantity,
    case when charge_category = 'Usage' then coalesce(pricing_unit, 'Units') end as ConsumedUnit,
    contracted_cost                                                     as ContractedCost,
    effective_cost                                                      as EffectiveCost,
    invoice_id                                                          as InvoiceId,
    -- The invoicing legal entity (e.g. Amazon Web Services EMEA SARL) is AWS itself, not a reseller.
    'AWS'                                                               as InvoiceIssuerName,
    list_cost                                                           as ListCost,
    -- The export's own rates where rate x quantity gives the cost (FOCUS ListCost-C-009); else the
    -- mart derives the price from cost and quantity.
    case
        when charge_category not in ('Usage', 'Purchase') then null
        when line_item_type = 'SavingsPlanNegation' then 0
        else {{ consistent_rate('case when is_covered or line_item_type = \'Usage\' then public_on_demand_rate else unblended_rate end', 'quantity', 'list_cost') }}
    end                                                                 as ListUnitPrice,
    case
        when charge_category not in ('Usage', 'Purchase') then null
        when line_item_type = 'SavingsPlanNegation' then 0
        else {{ consistent_rate('case when is_covered then public_on_demand_rate else unblended_rate end', 'quantity', 'contracted_cost') }}
    end                                                                 as ContractedUnitPrice,
    case
        when charge_category = 'Tax' then null
        when is_covered or line_item_type = 'SavingsPlanNegation' then 'Committed'
        when pricing_term = 'Spot' or usage_type like '%SpotUsage%' then 'Dynamic'
        when charge_category in ('Usage', 'Purchase') then 'Standard'
    end                                                                 as PricingCategory,
    case when charge_category in ('Usage', 'Purchase') then coalesce(quantity, 0) end as PricingQuantity,
    case when charge_category in ('Usage', 'Purchase') then coalesce(pricing_unit, 'Units') end as PricingUnit,
    'AWS'                                                               as ProviderName,
    case when billing_entity = 'AWS Marketplace' then coalesce(legal_entity, 'AWS Marketplace') else 'AWS' end as PublisherName,
    region                                                              as RegionId,
    case when region is not null then coalesce(region_name, region) end as RegionName,
    resource_id                                                         as ResourceId,
    {{ typecast('null', 'varchar') }}                                                       as ResourceName,
    case when resource_id is not null then coalesce(
            {{ focus_resource_type('resource_kind') }},
            nullif(product_family, ''), service_name, 'Resource') end    as ResourceType,
    service_name                                                        as ServiceName,
    case when charge_category <> 'Tax' then coalesce(product_sku, service_code || ':' || usage_type) end as SkuId,
    case when charge_category <> 'Tax' then usage_type end              as SkuMeter,
    {{ typecast('null', 'json') }}                                                          as SkuPriceDetails,
    -- Qualified by its SKU, so a price id always has exactly one parent SkuId (FOCUS SkuPriceId-C-008).
    case when charge_category <> 'Tax' then coalesce(product_sku, service_code || ':' || usage_type) || ':'
        || coalesce(pricing_rate_id, pricing_term, 'OnDemand') end as SkuPriceId,
    sub_account_id                                                      as SubAccountId,
    coalesce(sub_account_name, sub_account_id)                          as SubAccountName,
    case when sub_account_id is not null then 'Linked Account' end      as SubAccountType,
    coalesce(tags, {{ typecast("'{}'", 'json') }})                                          as Tags,
    -- Provider extras (FOCUS allows x_ columns).
    'aws'                                                               as x_Provider,
    resource_kind                                                       as x_ResourceKind,
    -- A volume's type from its usage type's suffix: VolumeUsage.gp3 is gp3; "piops" is io1, and no
    -- suffix is the previous-generation magnetic (standard) volume.
    coalesce(instance_type, case
        when usage_type like '%EBS:VolumeUsage%' or usage_type like '%EBS:VolumeP-%' then
            case {{ regexp_extract('usage_type', "'EBS:Volume(?:Usage|P-IOPS|P-Throughput)\\.?([A-Za-z0-9]*)'", 1) }}
                when '' then 'standard' when 'piops' then 'io1'
                else {{ regexp_extract('usage_type', "'EBS:Volume(?:Usage|P-IOPS|P-Throughput)\\.?([A-Za-z0-9]*)'", 1) }}
            end
    end) as x_InstanceType,
    line_item_type                                                      as x_LineItemType,
    unused_cost                                                         as x_UnusedCommitmentCost,
    case when line_item_type = 'RIFee' then coalesce(reservation_unused_quantity,
        unused_cost / nullif(unblended_cost, 0) * usage_quantity) end  as x_UnusedCommitmentQuantity,
    case when is_commitment_row then commitment_start end               as x_CommitmentDiscountStart,
    case when is_commitment_row then commitment_end end                 as x_CommitmentDiscountEnd,
    service_code                                                        as x_ServiceCode,
    billing_period                                                      as x_BillingPeriod,
    'aws_cur' as x_SourceDataset,
    source_file                                                         as x_SourceFile,
    load_id                                                             as x_LoadId
from costed
