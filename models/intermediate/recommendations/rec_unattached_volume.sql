{{ config(materialized='table', tags=['recommendations']) }}
-- Volumes attached to nothing, as the inventory says (billing cannot tell): snapshot, then delete.
select
    'unattached_volume' as detector,
    'deactivation' as category,
    'delete_volume' as action,
    s.provider, s.billing_account_id, s.sub_account_id, s.resource_id, 'volume' as resource_type, s.region,
    coalesce(s.sku, 'volume') || coalesce(' ' || {{ as_text('s.size_gb') }} || ' GB', '') || ', unattached' as current_configuration,
    {{ typecast('null', 'varchar') }} as target_configuration,
    s.monthly_cost as estimated_monthly_savings,
    s.monthly_cost_at_list as estimated_monthly_savings_at_list,
    s.currency,
    7 as lookback_days,
    {% call json_object_text() %}'inventory_state', s.inventory_state, 'inventory_seen_at', s.inventory_seen_at, 'size_gb', s.size_gb{% endcall %} as evidence,
    'Volume ' || s.resource_id || ' is attached to nothing (' || coalesce(s.inventory_state, 'no state') || ' in the inventory of '
        || {{ as_text(typecast('s.inventory_seen_at', 'date')) }} || ') and still billed: snapshot it, then delete it.' as explanation,
    0.9 as confidence,
    'inventory and billing' as data_source,
    s.tags
from {{ ref('int_recommend__storage') }} s
where s.resource_type = 'volume' and s.state = 'active' and s.inventory_seen_at is not null and s.attached_to is null
