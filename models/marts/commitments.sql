{{ config(materialized='incremental', unique_key='billing_period') }}
-- Every commitment discount (AWS RI and Savings Plan, Azure reservation, GCP CUD, and those in
-- FOCUS exports) per day: what was paid, what its usage consumed (used) and wasted (unused),
-- utilization, coverage of the eligible on-demand usage of its billing account, and its term.
-- Incremental by billing period, like cost_daily: periods with newer loads are rebuilt.
with periods as (
    {{ billing_periods_to_build(ref('focus_costs'), this, is_incremental()) }}
),

commitment_rows as (
    select * from {{ ref('focus_costs') }}
    where CommitmentDiscountId is not null and x_BillingPeriod in (select billing_period from periods)
),

daily as (
    select
        CommitmentDiscountId as commitment_id,
        x_ChargeDate as charge_date,
        x_BillingPeriod as billing_period,
        max(x_LoadId) as load_id,
        any_value(x_Provider) as provider,
        any_value(BillingAccountId) as billing_account_id,
        {{ agg_where('any_value', 'SubAccountId', "ChargeCategory = 'Purchase'") }} as purchase_sub_account_id,
        any_value(CommitmentDiscountType) as commitment_type,
        any_value(CommitmentDiscountCategory) as commitment_category,
        any_value(CommitmentDiscountName) as commitment_name,
        any_value(BillingCurrency) as currency,
        {{ agg_where('sum', 'BilledCost', "ChargeCategory = 'Purchase'") }} as purchase_cost,
        {{ agg_where('sum', 'EffectiveCost', "ChargeCategory = 'Usage' and CommitmentDiscountStatus = 'Used'") }} as used_cost,
        {{ agg_where('sum', 'EffectiveCost', "ChargeCategory = 'Usage' and CommitmentDiscountStatus = 'Unused'") }} as unused_cost,
        {{ agg_where('sum', 'ListCost', "ChargeCategory = 'Usage' and CommitmentDiscountStatus = 'Used'") }} as covered_list_cost
    from commitment_rows
    group by all
),

-- Eligible usage: on-demand virtual machine usage in the same billing account and day.
uncovered as (
    select BillingAccountId as billing_account_id, x_ChargeDate as charge_date, sum(ListCost) as on_demand_list_cost
    from {{ ref('focus_costs') }}
    where ChargeCategory = 'Usage' and PricingCategory = 'Standard' and x_ResourceKind = 'virtual_machine'
      and x_BillingPeriod in (select billing_period from periods)
    group by all
),

-- Term and first day seen over all history: the periods being built, and (incremental) what the
-- mart already holds for the others, rather than every commitment row ever loaded.
terms as (
    select commitment_id, min(term_start) as term_start, max(term_end) as term_end, min(first_seen) as first_seen
    from (
        select
            CommitmentDiscountId as commitment_id,
            min(x_CommitmentDiscountStart) as term_start,
            max(x_CommitmentDiscountEnd) as term_end,
            min(x_ChargeDate) as first_seen
        from commitment_rows
        group by all
        {% if is_incremental() %}
        union all
        select commitment_id, min(term_start), max(term_end), min(first_seen)
        from {{ this }}
        where billing_period not in (select billing_period from periods)
        group by all
        {% endif %}
    )
    group by all
)

select
    {{ hash("d.commitment_id || '|' || " ~ as_text('d.charge_date') ~ " || '|' || d.billing_period") }} as commitment_day_id,
    d.commitment_id,
    d.charge_date,
    d.billing_period,
    d.load_id,
    d.provider,
    d.billing_account_id,
    d.purchase_sub_account_id,
    d.commitment_type,
    d.commitment_category,
    d.commitment_name,
    d.currency,
    {{ typecast('coalesce(d.purchase_cost, 0)', 'decimal(38, 10)') }} as purchase_cost,
    {{ typecast('coalesce(d.used_cost, 0)', 'decimal(38, 10)') }} as used_cost,
    {{ typecast('coalesce(d.unused_cost, 0)', 'decimal(38, 10)') }} as unused_cost,
    {{ typecast('(coalesce(d.used_cost, 0) + coalesce(d.unused_cost, 0))', 'decimal(38, 10)') }} as amortized_cost,
    {{ typecast('coalesce(d.covered_list_cost, 0)', 'decimal(38, 10)') }} as covered_list_cost,
    {{ typecast('(coalesce(d.covered_list_cost, 0) - coalesce(d.used_cost, 0))', 'decimal(38, 10)') }} as savings,
    {{ typecast('round(100 * coalesce(d.used_cost, 0) / nullif(coalesce(d.used_cost, 0) + coalesce(d.unused_cost, 0), 0), 2)', 'decimal(7, 2)') }}
        as utilization_pct,
    {% call typecast_block('decimal(7, 2)') %}round(100 * coalesce(d.covered_list_cost, 0)
        / nullif(coalesce(d.covered_list_cost, 0) + coalesce(u.on_demand_list_cost, 0), 0), 2){% endcall %}
        as coverage_pct,
    {{ typecast('t.term_start', 'date') }} as term_start,
    {{ typecast('t.term_end', 'date') }} as term_end,
    ({{ datediff('d.charge_date', typecast('t.term_end', 'date'), 'day') }}) as days_to_expiry,
    t.first_seen
from daily d
join terms t using (commitment_id)
left join uncovered u using (billing_account_id, charge_date)
