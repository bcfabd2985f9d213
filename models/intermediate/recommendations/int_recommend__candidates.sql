{{ config(materialized='table', tags=['recommendations']) }}
-- Every detector's findings in one set, each with its stable id (the detector, the resource and
-- the target: the same finding keeps its id run after run), protected resources left out.
{% set detectors = ['rec_idle_vm', 'rec_rightsizing', 'rec_previous_generation', 'rec_schedule', 'rec_spot',
    'rec_gp2_volume', 'rec_old_snapshot', 'rec_unattached_volume', 'rec_stopped_vm_volume', 'rec_idle_address',
    'rec_commitment_purchase', 'rec_commitment_review', 'rec_bucket_lifecycle'] %}
with found as (
    {% for d in detectors %}
    select * from {{ ref(d) }}
    {% if not loop.last %}{{ union_all_by_name() }}{% endif %}
    {% endfor %}
)

select
    {{ hash("detector || '|' || resource_id || '|' || coalesce(target_configuration, '')") }} as recommendation_id,
    *
from found
where not {{ has_any_tag('tags', var('recommend').protected_tags) }}
