{{ config(materialized='table', tags=['recommendations']) }}
-- Non-production VMs running around the clock: the environment tag (the allocation config's
-- environment keys) says non-production and the VM was billed nearly every hour of the lookback.
-- An office-hours schedule saves the hours it proposes off. Idle VMs are left to the idle detector.
{% set c = var('recommend').schedule %}
with vms as (
    select v.*, lower(coalesce(
        {%- for d in var('allocation_dimensions') %}{% if d.name == 'environment' %}{{ tag_value('v.tags', d.tag_keys) }}, {% endif %}{% endfor %}null))
        as environment
    from {{ ref('int_recommend__vms') }} v
),

running as (
    select resource_id, sum(usage_quantity) as hours_billed
    from {{ ref('cost_daily') }}
    where resource_type = 'virtual_machine' and charge_category = 'Usage' and {{ cost_window(c.lookback_days) }}
    group by all
)

select
    'schedule' as detector,
    'schedule' as category,
    'schedule_instance' as action,
    v.provider, v.billing_account_id, v.sub_account_id, v.resource_id, 'virtual_machine' as resource_type, v.region,
    v.size || ', 24x7' as current_configuration,
    'weekdays 07:00-19:00' as target_configuration,
    {{ typecast('(v.effective_hourly * 730 * (1 - ' ~ c.on_hours_per_week ~ ' / 168.0))', 'decimal(18, 2)') }} as estimated_monthly_savings,
    {{ typecast('(v.list_hourly * 730 * (1 - ' ~ c.on_hours_per_week ~ ' / 168.0))', 'decimal(18, 2)') }} as estimated_monthly_savings_at_list,
    v.currency,
    {{ c.lookback_days }} as lookback_days,
    {% call json_object_text() %}'environment', v.environment, 'hours_billed', r.hours_billed,
        'hours_in_lookback', {{ c.lookback_days }} * 24, 'on_hours_per_week', {{ c.on_hours_per_week }}{% endcall %} as evidence,
    'VM ' || v.resource_id || ' is tagged ' || v.environment || ' and ran ' || {{ as_text('round(r.hours_billed)') }} || ' of the last '
        || {{ as_text(c.lookback_days ~ ' * 24') }} || ' hours: stopping it outside weekdays 07:00-19:00 saves '
        || {{ as_text('round(100 * (1 - ' ~ c.on_hours_per_week ~ ' / 168.0))') }} || '% of its cost.' as explanation,
    0.85 as confidence,
    'billing' as data_source,
    v.tags
from vms v
join running r using (resource_id)
where v.environment in ({% for e in c.non_production %}'{{ e }}'{% if not loop.last %}, {% endif %}{% endfor %})
  and r.hours_billed >= {{ c.min_running_share }} * {{ c.lookback_days }} * 24
  and v.resource_id not in (select resource_id from {{ ref('rec_idle_vm') }})
