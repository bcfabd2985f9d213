{{ config(materialized='table') }}
-- Realized savings per executed action, from the billing after it, next to the estimate. The
-- baseline is the resource's mean daily cost over the 7 billed days before the execution day; the
-- after is its mean over the billed days after that day (a day billed for the provider but not
-- for the resource costs 0: a deleted disk bills nothing). Monthly = daily difference x 30.4.
with executed as (
    select action_id, recommendation_id, kind, provider, billing_account_id, sub_account_id, resource_id, state,
        estimated_monthly_savings, currency, executed_at, {{ typecast('(' ~ at_utc('executed_at') ~ ')', 'date') }} as executed_on
    from {{ source('ops_actions', 'actions') }}
    where mode = 'execute' and executed_at is not null
),

billed_days as (
    select distinct provider, charge_date from {{ ref('cost_daily') }}
),

resource_days as (
    select provider, resource_id, charge_date, sum(effective_cost) as cost
    from {{ ref('cost_daily') }}
    where resource_id in (select resource_id from executed)
    group by all
),

days as (
    select e.action_id, b.charge_date, b.charge_date < e.executed_on as is_before,
        {{ typecast('coalesce(r.cost, 0)', 'decimal(38, 10)') }} as cost
    from executed e
    join billed_days b on b.provider = e.provider
        and (b.charge_date between {{ days_before('e.executed_on', 7) }} and {{ days_before('e.executed_on', 1) }} or b.charge_date > e.executed_on)
    left join resource_days r on r.provider = e.provider and r.resource_id = e.resource_id and r.charge_date = b.charge_date
),

measured as (
    select action_id,
        {{ agg_where('avg', 'cost', "is_before") }} as baseline_daily_cost,
        {{ agg_where('count', '*', "is_before") }} as baseline_days,
        {{ agg_where('avg', 'cost', "not is_before") }} as after_daily_cost,
        {{ agg_where('count', '*', "not is_before") }} as days_after,
        {{ agg_where('sum', 'cost', "not is_before") }} as cost_after
    from days
    group by action_id
)

select
    e.action_id,
    e.recommendation_id,
    e.kind,
    e.provider,
    e.billing_account_id,
    e.sub_account_id,
    e.resource_id,
    e.state,
    e.executed_at,
    e.currency,
    e.estimated_monthly_savings,
    {{ typecast('m.baseline_daily_cost', 'decimal(18, 4)') }} as baseline_daily_cost,
    {{ typecast('coalesce(m.baseline_days, 0)', 'integer') }} as baseline_days,
    {{ typecast('m.after_daily_cost', 'decimal(18, 4)') }} as after_daily_cost,
    {{ typecast('coalesce(m.days_after, 0)', 'integer') }} as days_after,
    {{ typecast('((m.baseline_daily_cost - m.after_daily_cost) * 30.4)', 'decimal(18, 2)') }} as realized_monthly_savings,
    {{ typecast('(m.baseline_daily_cost * m.days_after - m.cost_after)', 'decimal(18, 2)') }} as realized_savings_to_date,
    case when e.estimated_monthly_savings > 0 and m.days_after > 0
        then round(100 * (m.baseline_daily_cost - m.after_daily_cost) * 30.4 / e.estimated_monthly_savings, 1)
    end as realized_pct_of_estimate
from executed e
left join measured m using (action_id)
