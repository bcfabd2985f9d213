-- No recommendation touches a resource carrying a protected tag (recommend.protected_tags).
select r.recommendation_id, r.resource_id, r.detector
from {{ ref('recommendations') }} r
join {{ ref('resources') }} s using (resource_id)
where {{ has_any_tag('s.tags', var('recommend').protected_tags) }}
