{#
  The billing periods a mart built from focus_costs must (re)build: every period on a full
  build; on an incremental one, those whose newest load is newer than the newest load the
  mart recorded for them (a new period, or a restated one). The mart keeps that load in load_id.
#}
{% macro billing_periods_to_build(costs, target, incremental) -%}
select f.billing_period
from (select x_BillingPeriod as billing_period, max(x_LoadId) as newest from {{ costs }} group by 1) f
{%- if incremental %}
left join (select billing_period, max(load_id) as newest from {{ target }} group by 1) t using (billing_period)
where t.newest is null or f.newest > t.newest
{%- endif %}
{%- endmacro %}
