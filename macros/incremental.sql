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

{#
  The billing periods of loads an incremental model has not built yet (its x_LoadId), for
  `x_BillingPeriod in (...)`. raw_tables: only loads of these tables; default every billing table
  (utilization and inventory loads carry no cost lines). Superseded loads are left out: their
  period's restating load is the one to build.
#}
{% macro unbuilt_load_periods(target, raw_tables=none) -%}
{%- set query -%}
select distinct billing_period from {{ source('ops', 'load_parts') }}
where superseded_by is null
  and raw_table not in ('raw.metrics_hourly', 'raw.inventory_resources')
  {%- if raw_tables %}
  and raw_table in ({% for t in raw_tables %}{{ string_literal(t) }}{{ ", " if not loop.last }}{% endfor %})
  {%- endif %}
  and load_id not in (select distinct x_LoadId from {{ target }} where x_LoadId is not null)
order by 1
{%- endset -%}
{{ values_of(query) }}
{%- endmacro %}

{# The periods billing_periods_to_build selects, for `x_BillingPeriod in (...)`. #}
{% macro billing_periods_literal(costs, target) -%}
{{ values_of(billing_periods_to_build(costs, target, true) ~ ' order by 1') }}
{%- endmacro %}

{#
  The one value a query returns (its first row's first column), for a comparison: as a literal
  when the build can ask the warehouse (null for none), else the query as a scalar subquery. A
  literal bound reaches the scans below at planning, so Parquet row groups and table segments
  outside it are skipped; a subquery's value is known only when the query runs.
#}
{% macro value_of(query) -%}
{%- set result = run_query(query) -%}
{%- if result -%}
{%- set value = result.rows[0][0] if result.rows | length else none -%}
{%- if value is none %}null{% else %}{{ string_literal(value) }}{% endif -%}
{%- else -%}
({{ query }})
{%- endif -%}
{%- endmacro %}

{# The newest day (a date column) of a relation, of the rows meeting `where` if given, as value_of gives it. #}
{% macro newest_day(relation, column, where=none) -%}
{{ typecast(value_of("select max(" ~ column ~ ") from " ~ relation ~ (" where " ~ where if where else "")), 'date') }}
{%- endmacro %}

{#
  The first column of a query, for `x in (...)`: when the build can ask the warehouse (execute)
  its values as literals (null for none), else the query itself. A literal list reaches the scans
  of the views below a model (through unions, projections and per-period aggregates); a subquery
  is a join on top and does not, so an incremental run would compute every period to keep one.
  (Our BigQuery build renders without execute: the subquery.)
#}
{% macro values_of(query) -%}
{#- run_query gives none where the build cannot ask (dbt's parse phase, our compile and BigQuery build). -#}
{%- set result = run_query(query) -%}
{%- if result -%}
{%- for row in result.rows %}{{ string_literal(row[0]) }}{{ ", " if not loop.last }}{% else %}null{% endfor -%}
{%- else -%}
{{ query }}
{%- endif -%}
{%- endmacro %}

{#
  The days a mart of hourly metrics must rebuild (usage_date: the day of a sample, an expression of
  its columns), for `usage_date in (...)`: the days of samples from loads newer than the newest the
  mart recorded in load_id.
#}
{% macro metrics_days_literal(metrics, usage_date, target) -%}
{%- set query -%}
select distinct {{ usage_date }} from {{ metrics }}
where load_id > {{ newest_load_literal(target) }}
order by 1
{%- endset -%}
{{ values_of(query) }}
{%- endmacro %}

{# The newest load a mart recorded in load_id (-1 for none), a literal where the build can ask. #}
{% macro newest_load_literal(target) -%}
{{ typecast(value_of("select coalesce(max(load_id), -1) from " ~ target), 'bigint') }}
{%- endmacro %}

{#
  How many metrics loads were superseded since the mart's newest load (0 where the build cannot
  ask: parse, compile, BigQuery). A month's file delivered again may drop days, and an incremental
  run deletes only the days it rebuilds: a mart built whole then has none left over.
#}
{% macro metrics_superseded_since(target) -%}
{%- set result = run_query(
    "select count(*) from " ~ source('ops', 'load_parts')
    ~ " where raw_table = 'raw.metrics_hourly' and superseded_by > " ~ newest_load_literal(target)) -%}
{{ result.rows[0][0] if result and result.rows | length else 0 }}
{%- endmacro %}
