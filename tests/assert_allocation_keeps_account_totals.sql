-- Sharing untagged cost out moves money between values, never in or out of an account.
select billing_period, billing_account_id, sub_account_id, currency, dimension,
    sum(effective_cost) as effective, sum(allocated_cost) as allocated
from {{ ref('allocation') }}
group by all
having abs(sum(effective_cost) - sum(allocated_cost)) > 0.000001
