{{ config(materialized='table', tags=['recommendations']) }}
-- Commitment purchases sized from the steady baseline: per billing account, the on-demand VM
-- spend of the lookback's lowest day, per hour, is what a commitment would be used for every
-- hour. It saves the provider's published discount for the configured term and payment
-- (catalogue); coverage of eligible usage before and after, and the month it breaks even.
{% set c = var('recommend').commitments %}
{%- set last_day = newest_day(ref('focus_costs'), 'x_ChargeDate') %}
with days as (
    select distinct x_ChargeDate as day from {{ ref('focus_costs') }}
    where x_ChargeDate > {{ days_before(last_day, c.lookback_days) }}
),

vm_usage as (
    select x_Provider as provider, BillingAccountId as billing_account_id, BillingCurrency as currency, x_ChargeDate as day,
        {{ agg_where('sum', 'EffectiveCost', "PricingCategory = 'Standard'") }} as on_demand,
        {{ agg_where('sum', 'EffectiveCost', "PricingCategory = 'Committed'") }} as committed
    from {{ ref('focus_costs') }}
    where ChargeCategory = 'Usage' and x_ResourceKind = 'virtual_machine'
      and x_ChargeDate > {{ days_before(last_day, c.lookback_days) }}
    group by all
),

accounts as (select distinct provider, billing_account_id, currency from vm_usage),

-- Every day of the lookback for every account: a day with no on-demand usage is a 0 baseline.
daily as (
    select a.provider, a.billing_account_id, a.currency, d.day,
        coalesce(u.on_demand, 0) as on_demand, coalesce(u.committed, 0) as committed
    from accounts a cross join days d
    left join vm_usage u using (provider, billing_account_id, currency, day)
),

baseline as (
    select provider, billing_account_id, currency,
        min(on_demand) / 24 as hourly,
        sum(on_demand) as on_demand_total,
        sum(committed) as committed_total,
        count(*) as days
    from daily group by all
),

offer as (
    select provider, commitment_type, term_years, payment_option, typical_discount_pct
    from {{ ref('catalog_commitment_discounts') }}
    where term_years = {{ c.term_years }} and payment_option = '{{ c.payment_option }}'
      and commitment_type in ('savings_plan', 'reservation', 'committed_use_discount')
      -- One offer per provider: AWS Savings Plans, Azure reservations, GCP committed use discounts.
      and {{ tuple_in(['provider', 'commitment_type'], [["'aws'", "'savings_plan'"], ["'azure'", "'reservation'"], ["'gcp'", "'committed_use_discount'"]]) }}
)

select
    'commitment_purchase' as detector,
    'commitment' as category,
    'purchase_commitment' as action,
    b.provider, b.billing_account_id, {{ typecast('null', 'varchar') }} as sub_account_id,
    b.billing_account_id as resource_id, 'commitment' as resource_type, {{ typecast('null', 'varchar') }} as region,
    'coverage ' || {{ as_text('round(100 * b.committed_total / nullif(b.committed_total + b.on_demand_total, 0), 1)') }} || '%, on-demand baseline '
        || {{ as_text('round(b.hourly, 4)') }} || ' ' || b.currency || '/h' as current_configuration,
    -- The amount is in the evidence: the id (detector, account, target) stays as the baseline moves.
    o.commitment_type || ', ' || {{ as_text('o.term_years') }} || ' year, ' || replace(o.payment_option, '_', ' ') as target_configuration,
    {{ typecast('(b.hourly * 730 * o.typical_discount_pct / 100)', 'decimal(18, 2)') }} as estimated_monthly_savings,
    {{ typecast('(b.hourly * 730 * o.typical_discount_pct / 100)', 'decimal(18, 2)') }} as estimated_monthly_savings_at_list,
    b.currency,
    {{ c.lookback_days }} as lookback_days,
    {% call json_object_text() %}'hourly_commitment', round(b.hourly, 6), 'discount_pct', o.typical_discount_pct,
        'coverage_before_pct', round(100 * b.committed_total / nullif(b.committed_total + b.on_demand_total, 0), 1),
        'coverage_after_pct', round(100 * (b.committed_total + b.hourly * 24 * b.days) / nullif(b.committed_total + b.on_demand_total, 0), 1),
        'break_even_month', case o.payment_option when 'no_upfront' then 1 else
            ceil(o.term_years * 12 * (1 - o.typical_discount_pct / 100) / (o.typical_discount_pct / 100 + 1e-9)) end,
        'term_years', o.term_years, 'payment_option', o.payment_option{% endcall %} as evidence,
    'On-demand VM spend in ' || b.billing_account_id || ' never fell below ' || {{ as_text('round(b.hourly, 2)') }} || ' ' || b.currency
        || ' an hour in the last ' || {{ as_text(c.lookback_days) }} || ' days: a ' || {{ as_text('o.term_years') }} || '-year ' || replace(o.commitment_type, '_', ' ')
        || ' of that much would be used every hour and save about ' || {{ as_text('o.typical_discount_pct') }} || '% of it.' as explanation,
    round(least(1.0, b.days / {{ typecast(c.lookback_days, 'double') }}), 2) as confidence,
    'billing' as data_source,
    {{ typecast("'{}'", 'json') }} as tags
from baseline b
join offer o using (provider)
where b.hourly > 0
