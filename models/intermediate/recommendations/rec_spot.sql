{{ config(materialized='table', tags=['recommendations']) }}
-- Spot candidates: on-demand VMs whose tags mark an interruption-tolerant workload (an
-- autoscaling group, a batch tag; config). The discount is the one the billing shows for spot
-- capacity of the same size and region where there is any, else the configured fallback.
{% set c = var('recommend').spot %}
with observed as (
    -- Spot rates actually paid, per size and region, against the VM's own on-demand list rate.
    select f.x_Provider as provider, f.x_InstanceType as size, f.RegionId as region, f.BillingCurrency as currency,
        sum(f.EffectiveCost) / nullif(sum(f.PricingQuantity), 0) as spot_hourly
    from {{ ref('focus_costs') }} f
    where f.PricingCategory = 'Dynamic' and f.x_ResourceKind = 'virtual_machine'
    group by all
)

select
    'spot' as detector,
    'modernization' as category,
    'use_spot' as action,
    v.provider, v.billing_account_id, v.sub_account_id, v.resource_id, 'virtual_machine' as resource_type, v.region,
    v.size || ', on-demand' as current_configuration,
    'spot' as target_configuration,
    {{ typecast('(v.effective_hourly * 730 * d.discount)', 'decimal(18, 2)') }} as estimated_monthly_savings,
    {{ typecast('(v.list_hourly * 730 * d.discount)', 'decimal(18, 2)') }} as estimated_monthly_savings_at_list,
    v.currency,
    {{ var('recommend').schedule.lookback_days }} as lookback_days,
    {% call json_object_text() %}'discount', round(d.discount, 4), 'discount_source', d.source{% endcall %} as evidence,
    'VM ' || v.resource_id || ' is tagged as interruption-tolerant: spot capacity costs about '
        || {{ as_text('round(100 * d.discount)') }} || '% less (' || d.source || ').' as explanation,
    case when d.source = 'billing' then 0.8 else 0.6 end as confidence,
    'billing' as data_source,
    v.tags
from {{ ref('int_recommend__vms') }} v
join (
    select
        v.resource_id,
        coalesce(1 - o.spot_hourly / nullif(v.list_hourly, 0), {{ c.fallback_discount_pct / 100 }}) as discount,
        case when o.spot_hourly is not null then 'billing' else 'configured fallback' end as source
    from {{ ref('int_recommend__vms') }} v
    left join observed o on o.provider = v.provider and o.size = v.size and o.region = v.region and o.currency = v.currency
) d using (resource_id)
where {{ has_any_tag('v.tags', c.tags) }}
