{{ config(materialized='table', tags=['recommendations']) }}
-- Disks of VMs stopped for a while: the disks are still billed though nothing uses them. Which
-- VM a disk belongs to only the inventory says (no bill links them); the VM counts as stopped
-- when the inventory says so or it has not been billed for the configured days. Snapshot each
-- disk, then delete it (or delete the VM and its disks).
{% set c = var('recommend').storage %}
with last_day as (select max(last_seen) as d from {{ ref('resources') }}),

vms as (
    select resource_id, inventory_state, last_seen
    from {{ ref('resources') }}
    where resource_type = 'virtual_machine'
)

select
    'stopped_vm_volume' as detector,
    'storage' as category,
    'snapshot_and_delete_volume' as action,
    s.provider, s.billing_account_id, s.sub_account_id, s.resource_id, 'volume' as resource_type, s.region,
    coalesce(s.sku, 'volume') || coalesce(' ' || {{ as_text('s.size_gb') }} || ' GB', '') || ' on stopped VM ' || s.attached_to as current_configuration,
    {{ typecast('null', 'varchar') }} as target_configuration,
    s.monthly_cost as estimated_monthly_savings,
    s.monthly_cost_at_list as estimated_monthly_savings_at_list,
    s.currency,
    {{ c.stopped_vm_min_days }} as lookback_days,
    {% call json_object_text() %}'vm', s.attached_to, 'vm_state', v.inventory_state, 'vm_last_billed', v.last_seen{% endcall %} as evidence,
    'Volume ' || s.resource_id || ' belongs to VM ' || s.attached_to || ', '
        || coalesce(lower(v.inventory_state), 'not billed') || ' since ' || {{ as_text('v.last_seen') }}
        || ', yet the volume is still billed: snapshot it, then delete it.' as explanation,
    0.8 as confidence,
    'inventory and billing' as data_source,
    s.tags
from {{ ref('int_recommend__storage') }} s
join vms v on v.resource_id = s.attached_to
where s.resource_type = 'volume' and s.state = 'active'
  and v.last_seen <= {{ days_before('(select d from last_day)', c.stopped_vm_min_days) }}
  and (v.inventory_state is null or lower(v.inventory_state) in ('stopped', 'stopping', 'deallocated', 'terminated', 'suspended', 'poweredoff', 'vm stopped', 'vm deallocated'))
