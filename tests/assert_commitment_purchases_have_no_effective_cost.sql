-- FOCUS EffectiveCost-C-005: a commitment purchase covers future usage, so its own EffectiveCost is 0
-- (the usage it covers carries the cost instead).
select *
from {{ ref('focus_costs') }}
where ChargeCategory = 'Purchase'
  and CommitmentDiscountId is not null
  and EffectiveCost <> 0
