{{ config(materialized='external', unique_key='x_BillingPeriod', options={'partition_by': 'x_BillingPeriod'}) }}
{#- BigQuery: a table (no external materialization there), a partition per month, clustered by provider and account. -#}
{% if target.type == 'bigquery' %}{{ config(materialized='table', partition_by={'field': 'x_ChargeDate', 'data_type': 'date', 'granularity': 'month'},
    cluster_by=['x_Provider', 'BillingAccountId']) }}{% endif %}
-- FOCUS 1.2 cost and usage rows for every provider and export format, one row per charge,
-- with the warehouse's own x_ columns. The columns, their order and types are the model's
-- enforced contract in _marts__models.yml (the one place the FOCUS column list is written).
-- Unit prices an export lacks are derived from cost and pricing quantity, so that
-- price x quantity = cost holds (FOCUS ListCost-C-009).
-- Stored as Parquet, one folder per billing period (dbt-duckdb's external materialization:
-- DuckDB writes Parquet about twice as fast as its own 70-column tables); marts.focus_costs is
-- a view over it. Incremental by billing period: a build after new loads rewrites only the
-- periods they touch (a restated period's old rows are replaced along with it).
with unioned as (
    select * from {{ ref('int_aws__focus_lines') }}
    {{ union_all_by_name() }}
    select * from {{ ref('int_aws__focus_unused_lines') }}
    {{ union_all_by_name() }}
    select * from {{ ref('int_azure__focus_lines') }}
    {{ union_all_by_name() }}
    select * from {{ ref('int_gcp__focus_lines') }}
    {{ union_all_by_name() }}
    select * from {{ ref('int_gcp__file_export_focus_lines') }}
    {{ union_all_by_name() }}
    select * from {{ ref('int_aws__cost_explorer_focus_lines') }}
    {{ union_all_by_name() }}
    select * from {{ ref('int_azure__cost_management_focus_lines') }}
    {{ union_all_by_name() }}
    select * from {{ ref('int_focus__focus_lines') }}
),

categorized as (
    select
        *,
        coalesce(ServiceSubcategory, {{ focus_service_subcategory('ServiceName') }}) as x_subcategory,
        coalesce(ListUnitPrice, case when ChargeCategory in ('Usage', 'Purchase') then {{ focus_unit_price('ListCost', 'PricingQuantity') }} end) as x_list_unit_price,
        coalesce(ContractedUnitPrice, case when ChargeCategory in ('Usage', 'Purchase') then {{ focus_unit_price('ContractedCost', 'PricingQuantity') }} end) as x_contracted_unit_price
    from unioned
),

-- Each column by name; its type and place come from the contract in _marts__models.yml.
focus_rows as (
    select
        AvailabilityZone,
        BilledCost,
        BillingAccountId,
        BillingAccountName,
        BillingAccountType,
        BillingCurrency,
        BillingPeriodEnd,
        BillingPeriodStart,
        CapacityReservationId,
        CapacityReservationStatus,
        ChargeCategory,
        ChargeClass,
        ChargeDescription,
        ChargeFrequency,
        ChargePeriodEnd,
        ChargePeriodStart,
        CommitmentDiscountCategory,
        CommitmentDiscountId,
        CommitmentDiscountName,
        CommitmentDiscountQuantity,
        CommitmentDiscountStatus,
        CommitmentDiscountType,
        CommitmentDiscountUnit,
        ConsumedQuantity,
        ConsumedUnit,
        ContractedCost,
        x_contracted_unit_price as ContractedUnitPrice,
        EffectiveCost,
        InvoiceId,
        InvoiceIssuerName,
        ListCost,
        x_list_unit_price as ListUnitPrice,
        PricingCategory,
        coalesce(PricingCurrency, BillingCurrency) as PricingCurrency,
        coalesce(PricingCurrencyEffectiveCost, EffectiveCost) as PricingCurrencyEffectiveCost,
        -- Where the export prices in its billing currency, the pricing-currency unit prices are the billing ones.
        coalesce(PricingCurrencyListUnitPrice, case when coalesce(PricingCurrency, BillingCurrency) = BillingCurrency then x_list_unit_price end) as PricingCurrencyListUnitPrice,
        coalesce(PricingCurrencyContractedUnitPrice, case when coalesce(PricingCurrency, BillingCurrency) = BillingCurrency then x_contracted_unit_price end) as PricingCurrencyContractedUnitPrice,
        PricingQuantity,
        PricingUnit,
        ProviderName,
        PublisherName,
        RegionId,
        RegionName,
        ResourceId,
        ResourceName,
        ResourceType,
        coalesce(ServiceCategory, {{ focus_service_category('x_subcategory') }}) as ServiceCategory,
        ServiceName,
        x_subcategory as ServiceSubcategory,
        SkuId,
        SkuMeter,
        SkuPriceDetails,
        SkuPriceId,
        SubAccountId,
        SubAccountName,
        SubAccountType,
        Tags,
        x_Provider,
        x_ResourceKind,
        x_InstanceType,
        ChargePeriodStart as x_ChargeDate,
        x_BillingPeriod,
        x_SourceDataset,
        x_SourceFile,
        x_LoadId,
        x_LineItemType,
        x_UnusedCommitmentCost,
        x_CommitmentDiscountStart,
        x_CommitmentDiscountEnd,
        x_ServiceCode,
        x_ChargeType,
        x_PricingModel,
        x_CostDataset,
        x_CostType,
        x_OtherCredits,
        coalesce(x_UnitPriceSource, case
            when ListUnitPrice is not null then 'export'
            when x_list_unit_price is not null then 'cost / pricing quantity'
        end) as x_UnitPriceSource
    from categorized
    {% if is_incremental() %}
    -- The periods of billing loads not built yet (a restated period's rows are replaced whole).
    where x_BillingPeriod in ({{ unbuilt_load_periods(this) }})
    {% endif %}
)

-- The contract's columns in its order, each as its declared type: dbt checks the SQL's column
-- names and types against the contract before it builds, so the SQL casts, from the YAML.
select
{%- for column in model.columns.values() %}
    {{ cast(column.name, column.data_type) }} as {{ column.name }}{{ "," if not loop.last }}
{%- endfor %}
from focus_rows
