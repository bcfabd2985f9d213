-- A recommendation never claims a negative saving, at the rate paid or at list.
select recommendation_id, detector, estimated_monthly_savings, estimated_monthly_savings_at_list
from {{ ref('recommendations') }}
where estimated_monthly_savings < 0 or estimated_monthly_savings_at_list < 0
