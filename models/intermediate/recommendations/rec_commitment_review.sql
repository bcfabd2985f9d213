{{ config(materialized='table', tags=['recommendations']) }}
-- Existing commitments used less than the configured share over the lookback: what they leave
-- unused is paid for nothing. Review them (exchange, resell where the provider allows, or move
-- covered workloads onto them); no saving is claimed until that is decided.
{% set c = var('recommend').commitments %}
with recent as (
    select commitment_id, any_value(provider) as provider, any_value(billing_account_id) as billing_account_id,
        any_value(purchase_sub_account_id) as sub_account_id, any_value(commitment_type) as commitment_type,
        any_value(currency) as currency, sum(used_cost) as used, sum(unused_cost) as unused,
        sum(amortized_cost) as amortized, max(term_end) as term_end, count(*) as days
    from {{ ref('commitments') }}
    where charge_date > {{ days_before('(select max(charge_date) from ' ~ ref('commitments') ~ ')', c.lookback_days) }}
    group by commitment_id
)

select
    'commitment_review' as detector,
    'commitment' as category,
    'review_commitment' as action,
    provider, billing_account_id, sub_account_id, commitment_id as resource_id, 'commitment' as resource_type,
    {{ typecast('null', 'varchar') }} as region,
    commitment_type || ', ' || {{ as_text('round(100 * used / nullif(amortized, 0), 1)') }} || '% used' as current_configuration,
    {{ typecast('null', 'varchar') }} as target_configuration,
    {{ typecast('0', 'decimal(18, 2)') }} as estimated_monthly_savings,
    {{ typecast('0', 'decimal(18, 2)') }} as estimated_monthly_savings_at_list,
    currency,
    {{ c.lookback_days }} as lookback_days,
    {% call json_object_text() %}'utilization_pct', round(100 * used / nullif(amortized, 0), 1),
        'unused_per_month', round(unused / days * 730 / 24, 2), 'term_end', term_end{% endcall %} as evidence,
    'Commitment ' || commitment_id || ' was ' || {{ as_text('round(100 * used / nullif(amortized, 0), 1)') }} || '% used over '
        || {{ as_text('days') }} || ' days: about ' || {{ as_text('round(unused / days * 730 / 24, 2)') }} || ' ' || currency || ' a month is paid for nothing.' as explanation,
    0.9 as confidence,
    'billing' as data_source,
    {{ typecast("'{}'", 'json') }} as tags
from recent
where amortized > 0 and 100 * used / amortized < {{ c.min_utilization_pct }}
