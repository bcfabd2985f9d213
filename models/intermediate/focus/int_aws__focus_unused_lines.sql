-- FOCUS's "Unused" commitment rows for AWS: what each RIFee / SavingsPlanRecurringFee line
-- leaves unused (CUR's reservation_unused_recurring_fee; a Savings Plan's commitment less its
-- used commitment) becomes a Usage row with EffectiveCost = that amount and BilledCost 0
-- (the fee line bills it), on the commitment as the resource.
select
    * replace (
        {{ typecast('0', 'decimal(38, 10)') }} as BilledCost,
        'Usage' as ChargeCategory,
        'Usage-Based' as ChargeFrequency,
        'Unused commitment: ' || ChargeDescription as ChargeDescription,
        coalesce(x_UnusedCommitmentQuantity, x_UnusedCommitmentCost) as CommitmentDiscountQuantity,
        'Unused' as CommitmentDiscountStatus,
        {{ typecast('null', 'decimal(38, 10)') }} as ConsumedQuantity,
        {{ typecast('null', 'varchar') }} as ConsumedUnit,
        {{ typecast('0', 'decimal(38, 10)') }} as ContractedCost,
        {{ typecast('0', 'decimal(38, 10)') }} as ContractedUnitPrice,
        x_UnusedCommitmentCost as EffectiveCost,
        {{ typecast('0', 'decimal(38, 10)') }} as ListCost,
        {{ typecast('0', 'decimal(38, 10)') }} as ListUnitPrice,
        'Committed' as PricingCategory,
        CommitmentDiscountId as ResourceId,
        CommitmentDiscountType as ResourceType,
        {{ typecast('null', 'varchar') }} as x_ResourceKind,
        {{ typecast('null', 'varchar') }} as x_InstanceType,
        {{ typecast('null', 'decimal(38, 10)') }} as x_UnusedCommitmentCost,
        {{ typecast('null', 'decimal(38, 10)') }} as x_UnusedCommitmentQuantity
    )
-- The line item type test reaches the Parquet scan: only fee lines are read.
from {{ ref('int_aws__focus_lines') }}
where x_LineItemType in ('RIFee', 'SavingsPlanRecurringFee')
  and x_UnusedCommitmentCost > 0
