{{ config(materialized='table', tags=['recommendations']) }}
-- Previous-generation VM sizes (per the catalogue) moved to the current generation's size of the
-- same shape, which costs less for the same or better performance. Idle VMs are left to the
-- idle detector.
select
    'previous_generation' as detector,
    'modernization' as category,
    'change_instance_family' as action,
    v.provider, v.billing_account_id, v.sub_account_id, v.resource_id, 'virtual_machine' as resource_type, v.region,
    v.size as current_configuration,
    v.successor_size as target_configuration,
    {{ typecast('(v.effective_hourly * (1 - p.on_demand_hourly / v.list_hourly_catalog) * 730)', 'decimal(18, 2)') }} as estimated_monthly_savings,
    {{ typecast('(v.list_hourly * (1 - p.on_demand_hourly / v.list_hourly_catalog) * 730)', 'decimal(18, 2)') }} as estimated_monthly_savings_at_list,
    v.currency,
    {{ var('recommend').rightsizing.lookback_days }} as lookback_days,
    {% call json_object_text() %}'family', v.family, 'successor', v.successor_size, 'catalogue_region', v.price_region, 'list_hourly', v.list_hourly_catalog,
        'successor_list_hourly', p.on_demand_hourly{% endcall %} as evidence,
    'VM ' || v.resource_id || ' runs ' || v.size || ', a previous-generation size: ' || v.successor_size
        || ' has the same shape in the current generation at ' || {{ as_text('round(100 * (1 - p.on_demand_hourly / v.list_hourly_catalog), 1)') }}
        || '% less.' as explanation,
    0.9 as confidence,
    'billing' as data_source,
    v.tags
from {{ ref('int_recommend__vms') }} v
join {{ ref('catalog_vm_prices') }} p
    on p.provider = v.provider and p.size = v.successor_size and p.region = v.price_region and p.currency = v.price_currency
where v.previous_generation and p.on_demand_hourly < v.list_hourly_catalog
  and v.resource_id not in (select resource_id from {{ ref('rec_idle_vm') }})
