{{ config(materialized='incremental', unique_key='billing_period') }}
-- One row per billed resource, day and billing period: what marts.resources needs from focus_costs,
-- kept incrementally (a build reads only the periods with new loads; resources then aggregates
-- these rows instead of every charge). Commitments' unused rows are not resources' usage.
select
    ResourceId as resource_id,
    x_ChargeDate as charge_date,
    x_BillingPeriod as billing_period,
    any_value(x_Provider) as provider,
    any_value(BillingAccountId) as billing_account_id,
    any_value(SubAccountId) as sub_account_id,
    any_value(ServiceName) as service_name,
    any_value(x_ResourceKind) as resource_type,
    max(x_InstanceType) as sku,
    any_value(RegionId) as region,
    any_value(BillingCurrency) as currency,
    {{ agg_where('any_value', typecast('Tags', 'varchar'), 'Tags is not null and ' ~ typecast('Tags', 'varchar') ~ " <> '{}'") }} as tags,
    {{ typecast('sum(EffectiveCost)', 'decimal(38, 10)') }} as effective_cost,
    max(x_LoadId) as load_id
from {{ ref('focus_costs') }}
where ResourceId is not null and ChargeCategory = 'Usage' and CommitmentDiscountStatus is distinct from 'Unused'
{% if is_incremental() %}
    and x_BillingPeriod in ({{ billing_periods_literal(ref('focus_costs'), this) }})
{% endif %}
group by ResourceId, x_ChargeDate, x_BillingPeriod
