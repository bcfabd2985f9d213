-- Utilization and coverage are shares: between 0 and 100 percent whenever defined.
select *
from {{ ref('commitments') }}
where utilization_pct not between 0 and 100
   or coverage_pct not between 0 and 100
   or used_cost < 0
   or unused_cost < 0
