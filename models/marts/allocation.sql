{{ config(materialized='incremental', unique_key='billing_period') }}
-- Showback / chargeback: cost per billing period, account and allocation dimension value.
-- Dimensions (team, cost centre, ...) and the tag keys that carry them come from the
-- `allocation` section of cco.config.yaml (dbt vars here); the first key present on a row wins.
-- Untagged cost is its own row (value null, is_untagged); with share_untagged it is also spread
-- over the account's tagged values in proportion to their cost (shared_cost), so each account's
-- total is unchanged. tag_coverage_pct is the share of the account's cost that carries a value.
-- Incremental by billing period, like cost_daily.
with periods as (
    {{ billing_periods_to_build(ref('focus_costs'), this, is_incremental()) }}
),

costs as (
    -- Grouping by the tag set first keeps the per-dimension work small.
    select
        x_BillingPeriod as billing_period,
        x_Provider as provider,
        BillingAccountId as billing_account_id,
        SubAccountId as sub_account_id,
        BillingCurrency as currency,
        Tags as tags,
        sum(BilledCost) as billed_cost,
        sum(EffectiveCost) as effective_cost,
        max(x_LoadId) as load_id
    from {{ ref('focus_costs') }}
    where x_BillingPeriod in (select billing_period from periods)
    group by all
),

valued as (
{% for dimension in var('allocation_dimensions') %}
    select
        '{{ dimension.name }}' as dimension,
        coalesce({% for key in dimension.tag_keys %}nullif({{ json_text('tags', key) }}, ''), {% endfor %}null) as value,
        {{ star_exclude('tags') }}
    from costs
    {% if not loop.last %}union all{% endif %}
{% endfor %}
),

grouped as (
    select
        billing_period, provider, billing_account_id, sub_account_id, currency, dimension, value,
        sum(billed_cost) as billed_cost,
        sum(effective_cost) as effective_cost,
        max(load_id) as load_id
    from valued
    group by all
),

account_totals as (
    select
        billing_period, provider, billing_account_id, sub_account_id, currency, dimension,
        sum(effective_cost) as total_cost,
        {{ agg_where('sum', 'effective_cost', 'value is not null') }} as tagged_cost,
        {{ agg_where('sum', 'effective_cost', 'value is null') }} as untagged_cost
    from grouped
    group by all
)

select
    {{ hash(concat_ws("'|'", ['g.billing_period', 'g.provider', 'g.billing_account_id', "coalesce(g.sub_account_id, '')", 'g.currency',
        'g.dimension', "coalesce(g.value, '(untagged)')"])) }} as allocation_id,
    g.billing_period,
    g.provider,
    g.billing_account_id,
    g.sub_account_id,
    g.currency,
    g.dimension,
    coalesce(g.value, '(untagged)') as value,
    g.value is null as is_untagged,
    {{ typecast('g.billed_cost', 'decimal(38, 10)') }} as billed_cost,
    {{ typecast('g.effective_cost', 'decimal(38, 10)') }} as effective_cost,
    {% call typecast_block('decimal(38, 10)') %}(case
        when not {{ var('allocation_share_untagged') }} or coalesce(t.tagged_cost, 0) = 0 then 0
        when g.value is null then -g.effective_cost
        else coalesce(t.untagged_cost, 0) * g.effective_cost / t.tagged_cost
    end){% endcall %} as shared_cost,
    {% call typecast_block('decimal(38, 10)') %}(g.effective_cost + case
        when not {{ var('allocation_share_untagged') }} or coalesce(t.tagged_cost, 0) = 0 then 0
        when g.value is null then -g.effective_cost
        else coalesce(t.untagged_cost, 0) * g.effective_cost / t.tagged_cost
    end){% endcall %} as allocated_cost,
    {{ typecast('round(100 * coalesce(t.tagged_cost, 0) / nullif(t.total_cost, 0), 2)', 'decimal(7, 2)') }} as tag_coverage_pct,
    g.load_id
from grouped g
join account_totals t
    on t.billing_period = g.billing_period and t.provider = g.provider and t.billing_account_id = g.billing_account_id
    and t.sub_account_id is not distinct from g.sub_account_id and t.currency = g.currency and t.dimension = g.dimension
