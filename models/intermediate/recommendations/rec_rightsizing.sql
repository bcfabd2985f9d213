{{ config(materialized='table', tags=['recommendations']) }}
-- Rightsizing (AWS Compute Optimizer's defaults): the CPU each VM needs is the P99.5 of its hourly
-- peaks plus 20% headroom, in vCPUs; its memory likewise where an agent measures it, else memory
-- is left unconstrained (but not cut alone) and confidence lowered. The target is the cheapest size of its family
-- (or its successor's) in the catalogue that fits every measured need; a VM whose peaks fit nothing cheaper keeps
-- its size. Idle VMs are left to the idle detector (stopping beats shrinking).
{% set c = var('recommend').rightsizing %}
with hourly as (
    select resource_id, cpu_max_pct, memory_max_pct
    from {{ ref('stg_metrics__hourly') }}
    where {{ metrics_window(c.lookback_days) }}
),

needs as (
    select
        v.*,
        s.hours_observed,
        s.days_observed,
        s.cpu_peak_pct,
        s.memory_peak_pct,
        v.vcpu * s.cpu_peak_pct / 100 * (1 + {{ c.headroom_pct }} / 100) as vcpu_needed,
        v.memory_gib * s.memory_peak_pct / 100 * (1 + {{ c.headroom_pct }} / 100) as memory_needed_gib
    from (
        select resource_id, count(*) as hours_observed, count(*) / 24 as days_observed,
            {{ percentile('cpu_max_pct', c.cpu_percentile / 100) }} as cpu_peak_pct,
            {{ percentile('memory_max_pct', c.memory_percentile / 100) }} as memory_peak_pct
        from hourly group by all
    ) s
    join {{ ref('int_recommend__vms') }} v using (resource_id)
    where s.days_observed >= {{ c.min_days_observed }}
      and v.vcpu is not null and v.list_hourly_catalog is not null
      and v.resource_id not in (select resource_id from {{ ref('rec_idle_vm') }})
),

fits as (
    select
        n.resource_id,
        t.size as target,
        t.vcpu as target_vcpu,
        t.memory_gib as target_memory_gib,
        p.on_demand_hourly as target_hourly,
        row_number() over (partition by n.resource_id order by p.on_demand_hourly, t.vcpu, t.size) as cheapest
    from needs n
    -- Its own family, or for a previous-generation size the current generation's family too.
    join {{ ref('catalog_vm_sizes') }} t
        on t.provider = n.provider and t.family in (n.family, n.successor_family) and t.size <> n.size
    join {{ ref('catalog_vm_prices') }} p
        on p.provider = t.provider and p.size = t.size and p.region = n.price_region and p.currency = n.price_currency
    where t.vcpu >= n.vcpu_needed
      -- Unmeasured memory is left unconstrained, but a size that saves only memory (same vCPUs)
      -- is then a cut nobody can see the need for: it takes a measured memory.
      and (t.memory_gib >= n.memory_needed_gib or (n.memory_needed_gib is null and t.vcpu < n.vcpu))
      and p.on_demand_hourly < n.list_hourly_catalog
)

select
    'rightsizing' as detector,
    'rightsizing' as category,
    'resize_instance' as action,
    n.provider, n.billing_account_id, n.sub_account_id, n.resource_id, 'virtual_machine' as resource_type, n.region,
    n.size as current_configuration,
    f.target as target_configuration,
    -- The VM's own rates (after discounts, and list) scaled by the catalogue's price ratio of the two sizes:
    -- the ratio holds where the customer's prices differ from the catalogue's (region, negotiated).
    {{ typecast('(n.effective_hourly * (1 - f.target_hourly / n.list_hourly_catalog) * 730)', 'decimal(18, 2)') }} as estimated_monthly_savings,
    {{ typecast('(n.list_hourly * (1 - f.target_hourly / n.list_hourly_catalog) * 730)', 'decimal(18, 2)') }} as estimated_monthly_savings_at_list,
    n.currency,
    {{ c.lookback_days }} as lookback_days,
    {% call json_object_text() %}'hours_observed', n.hours_observed, 'cpu_p99_5_of_hourly_peaks_pct', round(n.cpu_peak_pct, 2), 'catalogue_region', n.price_region,
        'vcpu', n.vcpu, 'vcpu_needed', round(n.vcpu_needed, 2), 'target_vcpu', f.target_vcpu,
        'memory_gib', n.memory_gib, 'memory_peak_pct', round(n.memory_peak_pct, 2),
        'memory_needed_gib', round(n.memory_needed_gib, 2), 'target_memory_gib', f.target_memory_gib,
        'memory_measured', n.memory_peak_pct is not null{% endcall %} as evidence,
    'VM ' || n.resource_id || ' peaked at ' || {{ as_text('round(n.cpu_peak_pct, 1)') }} || '% CPU (P' || {{ as_text(c.cpu_percentile) }}
        || ' of hourly peaks over ' || {{ as_text('n.hours_observed') }} || ' hours): with ' || {{ as_text(c.headroom_pct) }} || '% headroom it needs '
        || {{ as_text('round(n.vcpu_needed, 1)') }} || ' of its ' || {{ as_text('n.vcpu') }} || ' vCPUs'
        || case when n.memory_peak_pct is null then ' (memory not measured: not checked)'
                else ' and ' || {{ as_text('round(n.memory_needed_gib, 1)') }} || ' of its ' || {{ as_text('n.memory_gib') }} || ' GiB' end
        || '. ' || f.target || ' (' || {{ as_text('f.target_vcpu') }} || ' vCPU, ' || {{ as_text('f.target_memory_gib') }} || ' GiB) is the cheapest size that fits.' as explanation,
    round(least(1.0, n.hours_observed / ({{ c.lookback_days }} * 24.0)) * case when n.memory_peak_pct is null then 0.7 else 1.0 end, 2) as confidence,
    'billing and metrics' as data_source,
    n.tags
from needs n
join fits f on f.resource_id = n.resource_id and f.cheapest = 1
