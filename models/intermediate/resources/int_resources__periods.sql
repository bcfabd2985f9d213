{{ config(materialized='incremental', unique_key='billing_period') }}
-- What billing says of each resource in a billing period (account, service, kind, size, region,
-- tags) and the days it was billed, kept incrementally: marts.resources reads a few rows a resource
-- instead of every day. Each description is a group key, so a resource said two ways in a period
-- is a row per way (resources picks one); none is an aggregate's state, which DuckDB cannot spill.
select
    ResourceId as resource_id,
    x_BillingPeriod as billing_period,
    x_Provider as provider,
    BillingAccountId as billing_account_id,
    SubAccountId as sub_account_id,
    ServiceName as service_name,
    x_ResourceKind as resource_type,
    x_InstanceType as sku,
    RegionId as region,
    BillingCurrency as currency,
    {{ typecast('Tags', 'varchar') }} as tags,
    min(x_ChargeDate) as first_seen,
    max(x_ChargeDate) as last_seen,
    {{ typecast('sum(EffectiveCost)', 'decimal(38, 10)') }} as effective_cost,
    max(x_LoadId) as load_id
{{ billed_resource_usage(this) }}
group by ResourceId, x_BillingPeriod, x_Provider, BillingAccountId, SubAccountId, ServiceName, x_ResourceKind,
    x_InstanceType, RegionId, BillingCurrency, {{ typecast('Tags', 'varchar') }}
