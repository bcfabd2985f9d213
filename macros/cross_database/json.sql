{#
  Records and JSON. The lake holds nested records as JSON text (DuckDB reads them with ->>);
  BigQuery's own tables (the GCP billing export) hold STRUCTs and ARRAYs. JSON values the models
  make (tags, evidence) are JSON text on both (see bigquery_type).
#}

{# A field of a record: JSON text in the lake, a STRUCT in BigQuery's billing export. #}
{% macro struct_field(record, field) -%}{{ return(adapter.dispatch('struct_field', 'cco')(record, field)) }}{%- endmacro %}
{% macro duckdb__struct_field(record, field) -%}{{ record }} ->> '{{ field }}'{%- endmacro %}
{% macro bigquery__struct_field(record, field) -%}{{ record }}.{{ field }}{%- endmacro %}

{# An array of records as rows named alias (for a FROM clause). #}
{% macro unnest_records(array, alias) -%}{{ return(adapter.dispatch('unnest_records', 'cco')(array, alias)) }}{%- endmacro %}
{% macro duckdb__unnest_records(array, alias) -%}(select unnest(from_json({{ array }}, '["json"]')) as {{ alias }}){%- endmacro %}
{% macro bigquery__unnest_records(array, alias) -%}unnest({{ array }}) as {{ alias }}{%- endmacro %}

{#
  An array of records parsed once per row, for sum_records and first_record (DuckDB: a list of
  JSON values; BigQuery: the ARRAY as it is). A correlated subquery over unnest_records per use
  parsed the JSON again each time and cost DuckDB a join per use (GCP staging: 5x slower).
#}
{% macro records(array) -%}{{ return(adapter.dispatch('records', 'cco')(array)) }}{%- endmacro %}
{% macro duckdb__records(array) -%}from_json({{ array }}, '["json"]'){%- endmacro %}
{% macro bigquery__records(array) -%}{{ array }}{%- endmacro %}

{# The sum of expr over the records (alias names one) where the condition holds; 0 when none. #}
{% macro sum_records(records, alias, expr, where='true') -%}{{ return(adapter.dispatch('sum_records', 'cco')(records, alias, expr, where)) }}{%- endmacro %}
{% macro duckdb__sum_records(records, alias, expr, where) -%}
coalesce(list_sum(list_transform(list_filter({{ records }}, lambda {{ alias }}: {{ where }}), lambda {{ alias }}: {{ expr }})), 0)
{%- endmacro %}
{% macro bigquery__sum_records(records, alias, expr, where) -%}
coalesce((select sum({{ expr }}) from unnest({{ records }}) as {{ alias }} where {{ where }}), 0)
{%- endmacro %}

{# expr of the first record where the condition holds and expr is not null; null when none. #}
{% macro first_record(records, alias, expr, where='true') -%}{{ return(adapter.dispatch('first_record', 'cco')(records, alias, expr, where)) }}{%- endmacro %}
{% macro duckdb__first_record(records, alias, expr, where) -%}
list_filter(list_transform(list_filter({{ records }}, lambda {{ alias }}: {{ where }}), lambda {{ alias }}: {{ expr }}), lambda v: v is not null)[1]
{%- endmacro %}
{% macro bigquery__first_record(records, alias, expr, where) -%}
(select any_value({{ expr }}) from unnest({{ records }}) as {{ alias }} where {{ where }})
{%- endmacro %}

{# An array's element by position from 1 (null past the end). #}
{% macro list_element(list, position) -%}{{ return(adapter.dispatch('list_element', 'cco')(list, position)) }}{%- endmacro %}
{% macro duckdb__list_element(list, position) -%}{{ list }}[{{ position }}]{%- endmacro %}
{% macro bigquery__list_element(list, position) -%}{{ list }}[safe_ordinal({{ position }})]{%- endmacro %}

{# A top-level key of a JSON object (text) as text. #}
{% macro json_text(json, key) -%}{{ return(adapter.dispatch('json_text', 'cco')(json, key)) }}{%- endmacro %}
{% macro duckdb__json_text(json, key) -%}{{ json }} ->> '{{ key }}'{%- endmacro %}
{% macro bigquery__json_text(json, key) -%}json_value({{ json }}, '$."{{ key }}"'){%- endmacro %}

{# A JSONPath ('$.a') of a JSON text as text. #}
{% macro json_extract_text(json, path) -%}{{ return(adapter.dispatch('json_extract_text', 'cco')(json, path)) }}{%- endmacro %}
{% macro duckdb__json_extract_text(json, path) -%}json_extract_string({{ json }}, '{{ path }}'){%- endmacro %}
{% macro bigquery__json_extract_text(json, path) -%}json_value({{ json }}, '{{ path }}'){%- endmacro %}

{# An aggregate: one JSON object (text) of the group's key-value pairs (BigQuery: {} for no rows). #}
{% macro json_object_agg(key, value) -%}{{ return(adapter.dispatch('json_object_agg', 'cco')(key, value)) }}{%- endmacro %}
{% macro duckdb__json_object_agg(key, value) -%}json_group_object({{ key }}, {{ value }}){%- endmacro %}
{% macro bigquery__json_object_agg(key, value) -%}
to_json_string(json_object(coalesce(array_agg({{ key }}), []), coalesce(array_agg(coalesce(to_json({{ value }}), json 'null')), [])))
{%- endmacro %}

{#
  A JSON object (text) of the key, value arguments in the call block's body:
  {% raw %}{% call json_object_text() %}'a', x, 'b', y{% endcall %}{% endraw %}
#}
{% macro json_object_text() -%}{{ return(adapter.dispatch('json_object_text', 'cco')(caller())) }}{%- endmacro %}
{% macro duckdb__json_object_text(arguments) -%}json_object({{ arguments }}){%- endmacro %}
{% macro bigquery__json_object_text(arguments) -%}to_json_string(json_object({{ arguments }})){%- endmacro %}
