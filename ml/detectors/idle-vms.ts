/**
 * Idle VMs: every day of the lookback window, the daily p95 of hourly CPU stays
 * under the threshold and network traffic stays under a few MiB. Saving is the
 * VM's whole run rate: effective cost (after discounts) per hour x 730, and the
 * same at list price.
 */
import type { Detector } from "./detector.ts";

export const idleVms: Detector = {
  id: "idle_vm",
  category: "deactivation",
  description: "VM with near-zero CPU and network for the whole lookback window",
  sql: (config) => {
    const c = config.recommend.idle_vm;
    return `
    with window_end as (select max(usage_date) as d from marts.utilization_daily),
    util as (
      select resource_id,
        count(*) as days_observed,
        max(cpu_p95_pct) as worst_cpu_p95,
        max(cpu_max_pct) as peak_cpu,
        max((network_in_bytes + network_out_bytes) / 1048576.0) as worst_network_mib
      from marts.utilization_daily
      where usage_date > (select d from window_end) - ${c.lookback_days}
      group by resource_id
    ),
    cost as (
      select resource_id, currency,
        sum(effective_cost) / (24 * count(distinct charge_date)) as effective_hourly,
        sum(list_cost) / (24 * count(distinct charge_date)) as list_hourly
      from marts.cost_daily
      where charge_category = 'Usage' and resource_type = 'virtual_machine'
        and charge_date > (select max(charge_date) from marts.cost_daily) - ${c.lookback_days}
      group by resource_id, currency
    )
    select
      'idle_vm' as detector,
      'deactivation' as category,
      'stop_instance' as action,
      r.provider, r.billing_account_id, r.sub_account_id, r.resource_id, r.resource_type,
      r.sku as current_configuration,
      null::varchar as target_configuration,
      round(cost.effective_hourly * 730, 2)::decimal(18, 2) as estimated_monthly_savings,
      round(cost.list_hourly * 730, 2)::decimal(18, 2) as estimated_monthly_savings_at_list,
      cost.currency,
      ${c.lookback_days} as lookback_days,
      json_object('days_observed', u.days_observed, 'worst_daily_cpu_p95_pct', u.worst_cpu_p95,
        'peak_cpu_pct', u.peak_cpu, 'worst_daily_network_mib', round(u.worst_network_mib, 2)) as evidence,
      'VM ' || r.resource_id || ' ran at most ' || round(u.worst_cpu_p95, 1) || '% CPU (daily p95) and moved under '
        || round(u.worst_network_mib, 1) || ' MiB a day for ' || u.days_observed || ' days: stopping it saves its whole run rate.' as explanation
    from util u
    join marts.resources r using (resource_id)
    join cost using (resource_id)
    where r.state = 'active'
      and u.days_observed >= ${c.min_days_observed}
      and u.worst_cpu_p95 < ${c.cpu_p95_max_pct}
      and u.worst_network_mib < ${c.network_mib_per_day_max}`;
  },
};
