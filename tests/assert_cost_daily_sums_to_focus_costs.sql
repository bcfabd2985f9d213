-- cost_daily is a rollup of focus_costs: every period and currency keeps its three measures exactly.
-- Sums are compared for the periods this build wrote (invocation_id; every period on a full
-- build); every other period must have been built from focus_costs' newest load of it.
{% set built_here %}invocation_id = '{{ invocation_id }}'{% endset %}
with f as (
    select x_BillingPeriod as billing_period, BillingCurrency as currency,
        sum(BilledCost) as billed, sum(EffectiveCost) as effective, sum(ListCost) as list
    from {{ ref('focus_costs') }}
    where x_BillingPeriod in (select billing_period from {{ ref('cost_daily') }} where {{ built_here }})
    group by all
),

d as (
    select billing_period, currency, sum(billed_cost) as billed, sum(effective_cost) as effective, sum(list_cost) as list
    from {{ ref('cost_daily') }}
    where {{ built_here }}
    group by all
),

newest as (
    select x_BillingPeriod as billing_period, max(x_LoadId) as load_id
    from {{ ref('focus_costs') }}
    group by all
),

recorded as (
    select billing_period, max(load_id) as load_id
    from {{ ref('cost_daily') }}
    group by all
)

select coalesce(f.billing_period, d.billing_period) as billing_period, coalesce(f.currency, d.currency) as currency,
    'sums differ' as problem
from f
full join d on coalesce(f.billing_period, '') = coalesce(d.billing_period, '') and coalesce(f.currency, '') = coalesce(d.currency, '')
where f.billed is distinct from d.billed
   or f.effective is distinct from d.effective
   or f.list is distinct from d.list
union all
select coalesce(n.billing_period, r.billing_period), null, 'not built from the newest load'
from newest n
full join recorded r on coalesce(n.billing_period, '') = coalesce(r.billing_period, '')
where n.load_id is distinct from r.load_id
