{{ config(materialized='external', unique_key='x_BillingPeriod', options={'partition_by': 'x_BillingPeriod'}) }}
-- FOCUS 1.2 cost and usage rows for every provider and export format, one row per charge,
-- with the warehouse's own x_ columns. Unit prices an export lacks are derived from cost and
-- pricing quantity, so that price x quantity = cost holds (FOCUS ListCost-C-009).
-- Stored as Parquet, one folder per billing period (dbt-duckdb's external materialization:
-- DuckDB writes Parquet about twice as fast as its own 70-column tables); marts.focus_costs is
-- a view over it. Incremental by billing period: a build after new loads rewrites only the
-- periods they touch (a restated period's old rows are replaced along with it).
with unioned as (
    select * from {{ ref('int_aws__focus_lines') }}
    union all by name
    select * from {{ ref('int_aws__focus_unused_lines') }}
    union all by name
    select * from {{ ref('int_azure__focus_lines') }}
    union all by name
    select * from {{ ref('int_gcp__focus_lines') }}
    union all by name
    select * from {{ ref('int_gcp__file_export_focus_lines') }}
    union all by name
    select * from {{ ref('int_aws__cost_explorer_focus_lines') }}
    union all by name
    select * from {{ ref('int_azure__cost_management_focus_lines') }}
    union all by name
    select * from {{ ref('int_focus__focus_lines') }}
),

categorized as (
    select
        *,
        coalesce(ServiceSubcategory, {{ focus_service_subcategory('ServiceName') }}) as x_subcategory,
        coalesce(ListUnitPrice, case when ChargeCategory in ('Usage', 'Purchase') then {{ focus_unit_price('ListCost', 'PricingQuantity') }} end) as x_list_unit_price,
        coalesce(ContractedUnitPrice, case when ChargeCategory in ('Usage', 'Purchase') then {{ focus_unit_price('ContractedCost', 'PricingQuantity') }} end) as x_contracted_unit_price
    from unioned
)

select
    cast(AvailabilityZone as varchar) as AvailabilityZone,
    cast(BilledCost as decimal(38, 10)) as BilledCost,
    cast(BillingAccountId as varchar) as BillingAccountId,
    cast(BillingAccountName as varchar) as BillingAccountName,
    cast(BillingAccountType as varchar) as BillingAccountType,
    cast(BillingCurrency as varchar) as BillingCurrency,
    cast(BillingPeriodEnd as timestamp) as BillingPeriodEnd,
    cast(BillingPeriodStart as timestamp) as BillingPeriodStart,
    cast(CapacityReservationId as varchar) as CapacityReservationId,
    cast(CapacityReservationStatus as varchar) as CapacityReservationStatus,
    cast(ChargeCategory as varchar) as ChargeCategory,
    cast(ChargeClass as varchar) as ChargeClass,
    cast(ChargeDescription as varchar) as ChargeDescription,
    cast(ChargeFrequency as varchar) as ChargeFrequency,
    cast(ChargePeriodEnd as timestamp) as ChargePeriodEnd,
    cast(ChargePeriodStart as timestamp) as ChargePeriodStart,
    cast(CommitmentDiscountCategory as varchar) as CommitmentDiscountCategory,
    cast(CommitmentDiscountId as varchar) as CommitmentDiscountId,
    cast(CommitmentDiscountName as varchar) as CommitmentDiscountName,
    cast(CommitmentDiscountQuantity as decimal(38, 10)) as CommitmentDiscountQuantity,
    cast(CommitmentDiscountStatus as varchar) as CommitmentDiscountStatus,
    cast(CommitmentDiscountType as varchar) as CommitmentDiscountType,
    cast(CommitmentDiscountUnit as varchar) as CommitmentDiscountUnit,
    cast(ConsumedQuantity as decimal(38, 10)) as ConsumedQuantity,
    cast(ConsumedUnit as varchar) as ConsumedUnit,
    cast(ContractedCost as decimal(38, 10)) as ContractedCost,
    cast(x_contracted_unit_price as decimal(38, 18)) as ContractedUnitPrice,
    cast(EffectiveCost as decimal(38, 10)) as EffectiveCost,
    cast(InvoiceId as varchar) as InvoiceId,
    cast(InvoiceIssuerName as varchar) as InvoiceIssuerName,
    cast(ListCost as decimal(38, 10)) as ListCost,
    cast(x_list_unit_price as decimal(38, 18)) as ListUnitPrice,
    cast(PricingCategory as varchar) as PricingCategory,
    cast(coalesce(PricingCurrency, BillingCurrency) as varchar) as PricingCurrency,
    cast(coalesce(PricingCurrencyEffectiveCost, EffectiveCost) as decimal(38, 10)) as PricingCurrencyEffectiveCost,
    -- Where the export prices in its billing currency, the pricing-currency unit prices are the billing ones.
    cast(coalesce(PricingCurrencyListUnitPrice, case when coalesce(PricingCurrency, BillingCurrency) = BillingCurrency then x_list_unit_price end) as decimal(38, 18)) as PricingCurrencyListUnitPrice,
    cast(coalesce(PricingCurrencyContractedUnitPrice, case when coalesce(PricingCurrency, BillingCurrency) = BillingCurrency then x_contracted_unit_price end) as decimal(38, 18)) as PricingCurrencyContractedUnitPrice,
    cast(PricingQuantity as decimal(38, 10)) as PricingQuantity,
    cast(PricingUnit as varchar) as PricingUnit,
    cast(ProviderName as varchar) as ProviderName,
    cast(PublisherName as varchar) as PublisherName,
    cast(RegionId as varchar) as RegionId,
    cast(RegionName as varchar) as RegionName,
    cast(ResourceId as varchar) as ResourceId,
    cast(ResourceName as varchar) as ResourceName,
    cast(ResourceType as varchar) as ResourceType,
    cast(coalesce(ServiceCategory, {{ focus_service_category('x_subcategory') }}) as varchar) as ServiceCategory,
    cast(ServiceName as varchar) as ServiceName,
    cast(x_subcategory as varchar) as ServiceSubcategory,
    cast(SkuId as varchar) as SkuId,
    cast(SkuMeter as varchar) as SkuMeter,
    cast(SkuPriceDetails as json) as SkuPriceDetails,
    cast(SkuPriceId as varchar) as SkuPriceId,
    cast(SubAccountId as varchar) as SubAccountId,
    cast(SubAccountName as varchar) as SubAccountName,
    cast(SubAccountType as varchar) as SubAccountType,
    cast(Tags as json) as Tags,
    cast(x_Provider as varchar) as x_Provider,
    cast(x_ResourceKind as varchar) as x_ResourceKind,
    cast(x_InstanceType as varchar) as x_InstanceType,
    cast(ChargePeriodStart as date) as x_ChargeDate,
    cast(x_BillingPeriod as varchar) as x_BillingPeriod,
    cast(x_SourceDataset as varchar) as x_SourceDataset,
    cast(x_SourceFile as varchar) as x_SourceFile,
    cast(x_LoadId as bigint) as x_LoadId,
    columns('^x_(UnusedCommitmentCost|CommitmentDiscountStart|CommitmentDiscountEnd|LineItemType|ChargeType|PricingModel|CostDataset|CostType|ServiceCode|OtherCredits)$')
from categorized
{% if is_incremental() %}
where x_BillingPeriod in (
    select billing_period from {{ source('ops', 'load_parts') }}
    where superseded_by is null
      and load_id not in (select distinct x_LoadId from {{ this }} where x_LoadId is not null)
)
{% endif %}
