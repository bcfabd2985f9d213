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
    where charge_date > (select max(charge_date) from {{ ref('commitments') }}) - {{ c.lookback_days }}
    group by commitment_id
)

select
    'commitment_review' as detector,
    'commitment' as category,
    'review_commitment' as action,
    provider, billing_account_id, sub_account_id, commitment_id as resource_id, 'commitment' as resource_type,
    null::varchar as region,
    commitment_type || ', ' || round(100 * used / nullif(amortized, 0), 1) || '% used' as current_configuration,
    null::varchar as target_configuration,
    0::decimal(18, 2) as estimated_monthly_savings,
    0::decimal(18, 2) as estimated_monthly_savings_at_list,
    currency,
    {{ c.lookback_days }} as lookback_days,
    json_object('utilization_pct', round(100 * used / nullif(amortized, 0), 1),
        'unused_per_month', round(unused / days * 730 / 24, 2), 'term_end', term_end) as evidence,
    'Commitment ' || commitment_id || ' was ' || round(100 * used / nullif(amortized, 0), 1) || '% used over '
        || days || ' days: about ' || round(unused / days * 730 / 24, 2) || ' ' || currency || ' a month is paid for nothing.' as explanation,
    0.9 as confidence,
    'billing' as data_source,
    '{}'::json as tags
from recent
where amortized > 0 and 100 * used / amortized < {{ c.min_utilization_pct }}
