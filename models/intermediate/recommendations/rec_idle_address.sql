{{ config(materialized='table', tags=['recommendations']) }}
-- Public IPv4 addresses associated with nothing. The billing says so where the provider bills an
-- idle address apart: AWS's usage type …PublicIPv4:IdleAddress, GCP's "Static Ip Charge" (a
-- reserved address in use bills as "External IP Charge on a … VM"), on the last days billed.
-- Elsewhere (Azure, OCI) only the inventory can tell: it says the address is attached to nothing.
with idle_in_billing as (
    select distinct ResourceId as resource_id
    from {{ ref('focus_costs') }}
    where (SkuMeter like '%PublicIPv4:IdleAddress' or (x_Provider = 'gcp' and SkuMeter = 'Static Ip Charge'))
      and x_ChargeDate > {{ days_before(newest_day(ref('focus_costs'), 'x_ChargeDate'), 2) }}
)

select
    'idle_address' as detector,
    'deactivation' as category,
    'release_address' as action,
    s.provider, s.billing_account_id, s.sub_account_id, s.resource_id, 'public_ip' as resource_type, s.region,
    'public IPv4, unassociated' as current_configuration,
    {{ typecast('null', 'varchar') }} as target_configuration,
    s.billed_monthly_cost as estimated_monthly_savings,
    s.billed_monthly_cost as estimated_monthly_savings_at_list,
    s.currency,
    2 as lookback_days,
    {% call json_object_text() %}'idle_in_billing', b.resource_id is not null, 'inventory_attached_to', s.attached_to,
        'inventory_seen_at', s.inventory_seen_at{% endcall %} as evidence,
    'Address ' || s.resource_id || ' is associated with nothing ('
        || case when b.resource_id is not null then 'billed as an idle address' else 'unattached in the inventory' end
        || '): release it.' as explanation,
    0.9 as confidence,
    case when b.resource_id is not null then 'billing' else 'inventory and billing' end as data_source,
    s.tags
from {{ ref('int_recommend__storage') }} s
left join idle_in_billing b using (resource_id)
where s.resource_type = 'public_ip' and s.state = 'active'
  and (b.resource_id is not null or (s.inventory_seen_at is not null and s.attached_to is null))
