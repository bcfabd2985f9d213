{{ config(materialized='table', tags=['recommendations']) }}
-- AWS gp2 volumes moved to gp3: the same size costs less with at least gp2's baseline
-- performance (3,000 IOPS, 125 MiB/s included). The change is online.
with gp3 as (
    select provider, region, currency, price from {{ ref('catalog_storage_prices') }} where storage_type = 'gp3' and unit = 'GB-Mo'
)

select
    'gp2_volume' as detector,
    'modernization' as category,
    'modify_volume_type' as action,
    s.provider, s.billing_account_id, s.sub_account_id, s.resource_id, 'volume' as resource_type, s.region,
    'gp2' || coalesce(' ' || {{ as_text('s.size_gb') }} || ' GB', '') as current_configuration,
    'gp3' as target_configuration,
    {{ typecast('(s.monthly_cost * (1 - g.price / s.list_price_per_unit))', 'decimal(18, 2)') }} as estimated_monthly_savings,
    {{ typecast('(s.monthly_cost_at_list * (1 - g.price / s.list_price_per_unit))', 'decimal(18, 2)') }} as estimated_monthly_savings_at_list,
    s.currency,
    7 as lookback_days,
    {% call json_object_text() %}'size_gb', s.size_gb, 'gp2_price_gb_month', s.list_price_per_unit, 'gp3_price_gb_month', g.price{% endcall %} as evidence,
    'Volume ' || s.resource_id || ' is gp2' || coalesce(' (' || {{ as_text('s.size_gb') }} || ' GB)', '') || ': gp3 costs '
        || {{ as_text('round(100 * (1 - g.price / s.list_price_per_unit))') }} || '% less per GB with at least the same baseline performance.' as explanation,
    0.95 as confidence,
    case when s.inventory_seen_at is not null then 'inventory and billing' else 'billing' end as data_source,
    s.tags
from {{ ref('int_recommend__storage') }} s
join gp3 g on g.provider = s.provider and g.region = s.region and g.currency = s.currency
where s.provider = 'aws' and s.resource_type = 'volume' and s.sku = 'gp2' and s.state = 'active'
  and s.list_price_per_unit > g.price
