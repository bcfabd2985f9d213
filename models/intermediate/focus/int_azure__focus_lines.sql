-- Azure cost details as FOCUS 1.2 rows. Azure exports billed cost (actual) and amortized
-- cost as two datasets; FOCUS wants one row set with both measures. Where both are loaded for
-- a billing account and period, rows are the actual dataset's (so BilledCost is the invoice's,
-- exactly) except its zero-cost commitment-covered usage, which comes from the amortized dataset
-- with its amortized cost, together with the amortized dataset's unused-commitment rows. Where
-- only one is loaded, its rows are used as they are.
-- The staging view is read twice, not through one CTE: DuckDB computes a CTE read twice once,
-- whole, and a billing-period filter on this model's rows (focus_costs' incremental run) no
-- longer reaches the scans below it.
with loaded as (
    select
        billing_account_id,
        billing_period,
        {{ bool_or("cost_kind = 'actual'") }} as has_actual,
        {{ bool_or("cost_kind = 'amortized'") }} as has_amortized
    from {{ ref('stg_azure__cost_lines') }}
    group by all
),

chosen as (
    select
        l.*,
        k.has_actual,
        k.has_amortized,
        l.pricing_model in ('Reservation', 'SavingsPlan') and l.charge_type = 'Usage' as is_covered,
        l.charge_type in ('UnusedReservation', 'UnusedSavingsPlan') as is_unused,
        case
            when l.charge_type = 'Purchase' then 'Purchase'
            when l.charge_type = 'Tax' then 'Tax'
            when l.charge_type in ('Usage', 'UnusedReservation', 'UnusedSavingsPlan') then 'Usage'
            when l.charge_type = 'Refund' then 'Credit'
            else 'Adjustment'
        end as charge_category,
        case
            when l.resource_id like '%/virtualmachines/%' then 'virtual_machine'
            when l.resource_id like '%/disks/%' then 'volume'
            when l.resource_id like '%/snapshots/%' then 'snapshot'
            when l.resource_id like '%/publicipaddresses/%' then 'public_ip'
            when l.resource_id like '%/storageaccounts/%' then 'bucket'
        end as resource_kind,
        coalesce(nullif(l.service_name, ''), nullif(l.service_code, ''), 'Microsoft Azure') as service
    from {{ ref('stg_azure__cost_lines') }} l
    join loaded k using (billing_account_id, billing_period)
    where (l.cost_kind = 'actual' and not (k.has_amortized and l.pricing_model in ('Reservation', 'SavingsPlan')
            and l.charge_type = 'Usage' and coalesce(l.cost, 0) = 0))
       or (l.cost_kind = 'amortized' and (not k.has_actual or l.charge_type in ('UnusedReservation', 'UnusedSavingsPlan')
            or (l.pricing_model in ('Reservation', 'SavingsPlan') and l.charge_type = 'Usage')))
),

costed as (
    select
        *,
        (is_covered or is_unused or charge_category = 'Purchase') and commitment_id is not null as is_commitment_row,
        case when cost_kind = 'amortized' and (is_covered or is_unused) then 0 else cost end as billed_cost,
        case
            when charge_category = 'Purchase' and (commitment_id is not null or pricing_model in ('Reservation', 'SavingsPlan')) then 0
            else cost
        end as effective_cost,
        case
            when is_unused then 0
            when charge_category = 'Usage' then coalesce(payg_cost, cost)
            else cost
        end as list_cost,
        case
            when is_unused then 0
            when is_covered then coalesce(payg_cost, cost)
            else cost
        end as contracted_cost
    from chosen
)

select
    {{ typecast('null', 'varchar') }}                                                       as AvailabilityZone,
    billed_cost                                                         as BilledCost,
    billing_account_id                                                  as BillingAccountId,
    billing_account_name                                                as BillingAccountName,
    'Billing Account'                                                   as BillingAccountType,
    currency                                                            as BillingCurrency,
    {{ typecast("coalesce(" ~ days_after('billing_period_end', 1) ~ ", " ~ dateadd('month', 1, parse_datetime('billing_period', "'%Y-%m'")) ~ ")", 'timestamp') }} as BillingPeriodEnd,
    {{ typecast("coalesce(billing_period_start, " ~ parse_datetime('billing_period', "'%Y-%m'") ~ ")", 'timestamp') }} as BillingPeriodStart,
    {{ typecast('null', 'varchar') }}                                                       as CapacityReservationId,
    {{ typecast('null', 'varchar') }}                                                       as CapacityReservationStatus,
    charge_category                                                     as ChargeCategory,
    {{ typecast('null', 'varchar') }}                                                       as ChargeClass,
    coalesce(meter_name, service) || case when is_unused then ' (unused reservation)' else '' end as ChargeDescription,
    case
        when charge_category = 'Usage' then 'Usage-Based'
        when frequency = 'Recurring' then 'Recurring'
        else 'One-Time'
    end                                                                 as ChargeFrequency,
    {{ typecast('(' ~ days_after('usage_date', 1) ~ ')', 'timestamp') }}                                         as ChargePeriodEnd,
    {{ typecast('usage_date', 'timestamp') }}                                               as ChargePeriodStart,
    case when is_commitment_row then case when pricing_model = 'SavingsPlan' then 'Spend' else 'Usage' end end as CommitmentDiscountCategory,
    case when is_commitment_row then commitment_id end                  as CommitmentDiscountId,
    case when is_commitment_row then commitment_name end                as CommitmentDiscountName,
    case when is_commitment_row then
        case when pricing_model = 'SavingsPlan' then coalesce(effective_cost, 0) else coalesce(usage_quantity, 0) end
    end                                                                 as CommitmentDiscountQuantity,
    case when is_commitment_row and charge_category = 'Usage' then case when is_unused then 'Unused' else 'Used' end end as CommitmentDiscountStatus,
    case when is_commitment_row then case when pricing_model = 'SavingsPlan' then 'Savings Plan' else 'Reservation' end end as CommitmentDiscountType,
    case when is_commitment_row then case when pricing_model = 'SavingsPlan' then currency else 'Hours' end end as CommitmentDiscountUnit,
    case when charge_category = 'Usage' and not is_unused then coalesce(usage_quantity, 0) end as ConsumedQuantity,
    case when charge_category = 'Usage' and not is_unused then coalesce(unit, 'Units') end as ConsumedUnit,
    contracted_cost                                                     as ContractedCost,
    effective_cost                                                      as EffectiveCost,
    invoice_id                                                          as InvoiceId,
    'Microsoft'                                                         as InvoiceIssuerName,
    list_cost                                                           as ListCost,
    case
        when charge_category = 'Tax' then null
        when is_covered or is_unused then 'Committed'
        when pricing_model = 'Spot' then 'Dynamic'
        when charge_category in ('Usage', 'Purchase') then 'Standard'
    end                                                                 as PricingCategory,
    case when charge_category in ('Usage', 'Purchase') then coalesce(usage_quantity, 0) end as PricingQuantity,
    case when charge_category in ('Usage', 'Purchase') then coalesce(unit, 'Units') end as PricingUnit,
    -- Azure prices in one currency and bills in another (e.g. USD prices, EUR invoice).
    coalesce(pricing_currency, currency)                                as PricingCurrency,
    case
        when effective_cost = 0 then 0
        when pricing_currency is null or pricing_currency = currency then effective_cost
        else coalesce(cost_in_pricing_currency, effective_cost)
    end                                                                 as PricingCurrencyEffectiveCost,
    -- Unit prices in the pricing currency, as the export states them (pay-as-you-go and the account's own).
    case when charge_category in ('Usage', 'Purchase') and pricing_currency is not null
        then case when is_unused then 0 else payg_price end end        as PricingCurrencyListUnitPrice,
    case when charge_category in ('Usage', 'Purchase') and pricing_currency is not null
        then case when is_unused then 0 else unit_price end end        as PricingCurrencyContractedUnitPrice,
    'Microsoft'                                                         as ProviderName,
    coalesce(publisher_name, 'Microsoft')                               as PublisherName,
    lower(replace(region, ' ', ''))                                     as RegionId,
    region                                                              as RegionName,
    resource_id                                                         as ResourceId,
    case when resource_id like '/subscriptions/%' then {{ regexp_extract('resource_id', "'[^/]+$'") }} end as ResourceName,
    case when resource_id is not null then coalesce({{ focus_resource_type('resource_kind') }}, service) end as ResourceType,
    service                                                             as ServiceName,
    case when charge_category <> 'Tax' then coalesce(product_id, meter_id, meter_name, service) end as SkuId,
    case when charge_category <> 'Tax' then coalesce(meter_name, service) end as SkuMeter,
    {{ typecast('null', 'json') }}                                                          as SkuPriceDetails,
    case when charge_category <> 'Tax' then coalesce(product_id, meter_id, meter_name, service) || ':' || coalesce(pricing_model, 'OnDemand') end as SkuPriceId,
    sub_account_id                                                      as SubAccountId,
    coalesce(sub_account_name, sub_account_id)                          as SubAccountName,
    case when sub_account_id is not null then 'Subscription' end        as SubAccountType,
    tags                                                                as Tags,
    'azure'                                                             as x_Provider,
    resource_kind                                                       as x_ResourceKind,
    case when resource_kind = 'virtual_machine' then coalesce(arm_size, meter_name) else meter_name end as x_InstanceType,
    charge_type                                                         as x_ChargeType,
    pricing_model                                                       as x_PricingModel,
    cost_kind                                                           as x_CostDataset,
    service_code                                                        as x_ServiceCode,
    billing_period                                                      as x_BillingPeriod,
    'azure_cost_details' as x_SourceDataset,
    source_file                                                         as x_SourceFile,
    load_id                                                             as x_LoadId
from costed
