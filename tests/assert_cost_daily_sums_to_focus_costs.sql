-- cost_daily is a rollup of focus_costs: every period and currency keeps its three measures exactly.
with f as (
    select x_BillingPeriod as billing_period, BillingCurrency as currency,
        sum(BilledCost) as billed, sum(EffectiveCost) as effective, sum(ListCost) as list
    from {{ ref('focus_costs') }}
    group by all
),

d as (
    select billing_period, currency, sum(billed_cost) as billed, sum(effective_cost) as effective, sum(list_cost) as list
    from {{ ref('cost_daily') }}
    group by all
)

select *
from f
full join d on coalesce(f.billing_period, '') = coalesce(d.billing_period, '') and coalesce(f.currency, '') = coalesce(d.currency, '')
where f.billed is distinct from d.billed
   or f.effective is distinct from d.effective
   or f.list is distinct from d.list
