-- Every open finding of the detectors with its risk assessment and priority (the recommend job's,
-- in ml.recommendation_risk) and its standing: open, or dismissed by a user (ops history). One
-- row per recommendation, its id stable across runs (detector, resource, target).
with dismissed as (
    select recommendation_id, {{ arg_max('reason', 'changed_at') }} as reason
    from {{ source('ops_recommendations', 'recommendation_history') }}
    group by recommendation_id
    having {{ arg_max('status', 'changed_at') }} = 'dismissed'
)

select
    c.recommendation_id,
    c.detector,
    c.category,
    c.action,
    c.provider,
    c.billing_account_id,
    c.sub_account_id,
    c.resource_id,
    c.resource_type,
    c.region,
    c.current_configuration,
    c.target_configuration,
    c.estimated_monthly_savings,
    c.estimated_monthly_savings_at_list,
    c.currency,
    c.lookback_days,
    c.evidence,
    c.explanation,
    c.confidence,
    c.data_source,
    r.risk_score,
    r.risk_level,
    r.risk_factors,
    r.mitigations,
    r.effort,
    r.priority,
    case when d.recommendation_id is not null then 'dismissed' else 'open' end as status,
    d.reason as status_reason,
    {{ current_timestamp() }} as generated_at
from {{ ref('int_recommend__candidates') }} c
left join {{ source('ml', 'recommendation_risk') }} r using (recommendation_id)
left join dismissed d using (recommendation_id)
