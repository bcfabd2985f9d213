{{ config(materialized='external', unique_key='billing_period', options={'partition_by': 'billing_period'}) }}
{#- BigQuery: an incremental table. -#}
{% if target.type == 'bigquery' %}{{ config(materialized='incremental') }}{% endif %}
-- One row per day x billing period x provider x billing account x sub account x service x region x
-- resource x charge category x currency; a sub account renamed, or a service or resource said in two
-- categories or kinds, within a day is a row per name.
-- Every text is a group key, none an aggregate's state: DuckDB spills group keys to disk, but not
-- the text an any_value() holds, and at 100M line items those ran the build out of memory.
-- Incremental by billing period: periods whose newest load is newer than the one recorded are rebuilt.
-- Stored as Parquet, a folder per billing period, as focus_costs: a build rewrites the periods it
-- rebuilt, and the marts' snapshot is these files (a table was copied whole to its snapshot after
-- every build: a quarter of a gigabyte at 10 million line items).
select
    {{ hash(concat_ws("'|'", ['x_ChargeDate', 'x_BillingPeriod', 'x_Provider', 'BillingAccountId', 'SubAccountId',
        "coalesce(SubAccountName, '')", 'ServiceName', "coalesce(ServiceCategory, '')", 'RegionId',
        "coalesce(ResourceId, '')", "coalesce(x_ResourceKind, '')", 'ChargeCategory', 'BillingCurrency'])) }} as cost_daily_id,
    x_ChargeDate as charge_date,
    x_BillingPeriod as billing_period,
    x_Provider as provider,
    BillingAccountId as billing_account_id,
    SubAccountId as sub_account_id,
    SubAccountName as sub_account_name,
    ServiceName as service_name,
    ServiceCategory as service_category,
    RegionId as region,
    ResourceId as resource_id,
    x_ResourceKind as resource_type,
    ChargeCategory as charge_category,
    BillingCurrency as currency,
    {{ typecast('sum(BilledCost)', 'decimal(38, 10)') }} as billed_cost,
    {{ typecast('sum(EffectiveCost)', 'decimal(38, 10)') }} as effective_cost,
    {{ typecast('sum(ListCost)', 'decimal(38, 10)') }} as list_cost,
    {{ typecast('sum(coalesce(ConsumedQuantity, 0))', 'decimal(38, 10)') }} as usage_quantity,
    max(x_LoadId) as load_id,
    -- The build that wrote the row's period: its tests check those periods (dbt's invocation_id).
    '{{ invocation_id }}' as invocation_id
from {{ ref('focus_costs') }}
{% if is_incremental() %}
where x_BillingPeriod in ({{ billing_periods_literal(ref('focus_costs'), this) }})
{% endif %}
group by x_ChargeDate, x_BillingPeriod, x_Provider, BillingAccountId, SubAccountId, SubAccountName, ServiceName,
    ServiceCategory, RegionId, ResourceId, x_ResourceKind, ChargeCategory, BillingCurrency
