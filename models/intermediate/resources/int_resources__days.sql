{{ config(materialized='incremental', unique_key='billing_period') }}
-- Billed usage per resource, day and billing period, kept incrementally (a build reads only the
-- periods with new loads): marts.resources sums the last seven days from it. Commitments' unused
-- rows are not resources' usage. Only keys and sums: what describes a resource is in
-- int_resources__periods (an any_value() of text here held ~75M texts in memory at 100M lines).
select
    ResourceId as resource_id,
    x_ChargeDate as charge_date,
    x_BillingPeriod as billing_period,
    {{ typecast('sum(EffectiveCost)', 'decimal(38, 10)') }} as effective_cost,
    max(x_LoadId) as load_id
{{ billed_resource_usage(this) }}
group by ResourceId, x_ChargeDate, x_BillingPeriod
