{# Aggregates and query shapes. #}

{# An aggregate over the rows meeting a condition (count with '*' counts them). #}
{% macro agg_where(aggregate, expr, condition) -%}
{{ return(adapter.dispatch('agg_where', 'cco')(aggregate, expr, condition)) }}
{%- endmacro %}
{% macro duckdb__agg_where(aggregate, expr, condition) -%}
{{ aggregate }}({{ expr }}) filter (where {{ condition }})
{%- endmacro %}
{% macro bigquery__agg_where(aggregate, expr, condition) -%}
{%- if aggregate == 'count' and expr == '*' -%}countif({{ condition }})
{%- else -%}{{ aggregate }}(case when {{ condition }} then {{ expr }} end){%- endif -%}
{%- endmacro %}

{#
  The continuous quantile at a fraction (0.95), of the rows meeting `where` if given. BigQuery has
  no exact quantile aggregate: APPROX_QUANTILES over 1,000 quantiles is used there.
#}
{% macro percentile(expr, fraction, where=none) -%}
{{ return(adapter.dispatch('percentile', 'cco')(expr, fraction, where)) }}
{%- endmacro %}
{% macro duckdb__percentile(expr, fraction, where) -%}
quantile_cont({{ expr }}, {{ fraction }}){% if where is not none %} filter (where {{ where }}){% endif %}
{%- endmacro %}
{% macro bigquery__percentile(expr, fraction, where) -%}
approx_quantiles({% if where is not none %}case when {{ where }} then {{ expr }} end{% else %}{{ expr }}{% endif %}, 1000)[offset({{ (fraction * 1000) | round | int }})]
{%- endmacro %}

{# The value on the row where `ordering` is largest. #}
{% macro arg_max(value, ordering) -%}{{ return(adapter.dispatch('arg_max', 'cco')(value, ordering)) }}{%- endmacro %}
{% macro duckdb__arg_max(value, ordering) -%}arg_max({{ value }}, {{ ordering }}){%- endmacro %}
{% macro bigquery__arg_max(value, ordering) -%}any_value({{ value }} having max {{ ordering }}){%- endmacro %}

{# dbt's bool_or: true when any row's condition is. #}
{% macro bool_or(expression) -%}{{ return(adapter.dispatch('bool_or', 'cco')(expression)) }}{%- endmacro %}
{% macro duckdb__bool_or(expression) -%}bool_or({{ expression }}){%- endmacro %}
{% macro bigquery__bool_or(expression) -%}logical_or({{ expression }}){%- endmacro %}

{# Every column but some: select {{ star_exclude('a, b') }}. #}
{% macro star_exclude(columns) -%}{{ return(adapter.dispatch('star_exclude', 'cco')(columns)) }}{%- endmacro %}
{% macro duckdb__star_exclude(columns) -%}* exclude ({{ columns }}){%- endmacro %}
{% macro bigquery__star_exclude(columns) -%}* except ({{ columns }}){%- endmacro %}

{# UNION ALL matching columns by name; a column a side lacks is null there. #}
{% macro union_all_by_name() -%}{{ return(adapter.dispatch('union_all_by_name', 'cco')()) }}{%- endmacro %}
{% macro duckdb__union_all_by_name() -%}union all by name{%- endmacro %}
{% macro bigquery__union_all_by_name() -%}full outer union all by name{%- endmacro %}

{# A one-column table of literal values (SQL literals), named alias(column). #}
{% macro values_table(values, alias, column) -%}
{{ return(adapter.dispatch('values_table', 'cco')(values, alias, column)) }}
{%- endmacro %}
{% macro duckdb__values_table(values, alias, column) -%}
(values {% for v in values %}({{ v }}){% if not loop.last %}, {% endif %}{% endfor %}) {{ alias }}({{ column }})
{%- endmacro %}
{% macro bigquery__values_table(values, alias, column) -%}
(select {% for v in values %}{{ v }}{% if loop.first %} as {{ column }}{% endif %}{% if not loop.last %} union all select {% endif %}{% endfor %}) {{ alias }}
{%- endmacro %}

{# (a, b) in ((x, y), …): columns against tuples of SQL literals. #}
{% macro tuple_in(columns, tuples) -%}{{ return(adapter.dispatch('tuple_in', 'cco')(columns, tuples)) }}{%- endmacro %}
{% macro duckdb__tuple_in(columns, tuples) -%}
({{ columns | join(', ') }}) in ({% for t in tuples %}({{ t | join(', ') }}){% if not loop.last %}, {% endif %}{% endfor %})
{%- endmacro %}
{% macro bigquery__tuple_in(columns, tuples) -%}
({% for t in tuples %}({% for c in columns %}{{ c }} = {{ t[loop.index0] }}{% if not loop.last %} and {% endif %}{% endfor %}){% if not loop.last %} or {% endif %}{% endfor %})
{%- endmacro %}

{# BigQuery takes QUALIFY only after a WHERE, GROUP BY or HAVING: a query without one gets WHERE true. #}
{% macro where_for_qualify() -%}{{ return(adapter.dispatch('where_for_qualify', 'cco')()) }}{%- endmacro %}
{% macro default__where_for_qualify() -%}{%- endmacro %}
{% macro bigquery__where_for_qualify() %} where true{% endmacro %}

{#
  A CTE's materialization: `name as {{ cte_materialized(false) }} (...)`. DuckDB computes a CTE
  used twice once, whole, and spills it past memory_limit: right for narrow rows an aggregate reads
  again, wrong for a wide line-level one (tens of gigabytes at 100M lines), which is better computed
  again with the reader's filter reaching its scan. BigQuery computes each reference anyway.
#}
{% macro cte_materialized(materialized) -%}{{ return(adapter.dispatch('cte_materialized', 'cco')(materialized)) }}{%- endmacro %}
{% macro duckdb__cte_materialized(materialized) -%}{{ '' if materialized else 'not ' }}materialized{%- endmacro %}
{% macro bigquery__cte_materialized(materialized) -%}{%- endmacro %}
