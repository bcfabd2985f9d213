{#
  Types and casts. Models write DuckDB's type names; BigQuery's are derived by bigquery_type:
  DuckDB's TIMESTAMP (no zone) is BigQuery's DATETIME and TIMESTAMPTZ its TIMESTAMP; decimals keep
  their precision and scale (NUMERIC up to scale 9, BIGNUMERIC beyond); JSON is JSON text in a
  STRING, as DuckDB's JSON is text (it groups, compares and casts as text on both).
#}
{% macro bigquery_type(duckdb_type) -%}
{%- set t = duckdb_type | string | lower | trim -%}
{%- if 'decimal' in t or 'numeric' in t -%}
    {%- set ps = (t | replace('decimal', '') | replace('numeric', '') | replace('(', '') | replace(')', '') | replace(' ', '')).split(',') -%}
    {%- if ps | length == 2 and (ps[1] | int) <= 9 and (ps[0] | int) - (ps[1] | int) <= 29 -%}NUMERIC({{ ps[0] }}, {{ ps[1] }})
    {%- elif ps | length == 2 -%}BIGNUMERIC({{ ps[0] }}, {{ ps[1] }})
    {%- else -%}NUMERIC
    {%- endif -%}
{%- else -%}
    {{- {'varchar': 'STRING', 'text': 'STRING', 'string': 'STRING', 'json': 'STRING',
        'double': 'FLOAT64', 'float': 'FLOAT64', 'float8': 'FLOAT64', 'real': 'FLOAT64', 'float4': 'FLOAT64',
        'bigint': 'INT64', 'int8': 'INT64', 'integer': 'INT64', 'int': 'INT64', 'int4': 'INT64',
        'smallint': 'INT64', 'tinyint': 'INT64', 'hugeint': 'INT64',
        'boolean': 'BOOL', 'bool': 'BOOL', 'date': 'DATE',
        'timestamp': 'DATETIME', 'datetime': 'DATETIME', 'timestamptz': 'TIMESTAMP',
        'timestamp with time zone': 'TIMESTAMP'}[t] or (duckdb_type | upper) -}}
{%- endif -%}
{%- endmacro %}

{# cast(x as type), dbt's cast(): the standard spelling. #}
{% macro cast(field, type) -%}{{ return(adapter.dispatch('cast', 'cco')(field, type)) }}{%- endmacro %}
{% macro duckdb__cast(field, type) -%}cast({{ field }} as {{ type }}){%- endmacro %}
{% macro bigquery__cast(field, type) -%}
{%- if (type | lower | trim) == 'json' -%}to_json_string(parse_json({{ field }}))
{%- else -%}cast({{ field }} as {{ bigquery_type(type) }}){%- endif -%}
{%- endmacro %}

{# x::type, DuckDB's shorthand where the models wrote it (the same cast). #}
{% macro typecast(field, type) -%}{{ return(adapter.dispatch('typecast', 'cco')(field, type)) }}{%- endmacro %}
{% macro duckdb__typecast(field, type) -%}{{ field }}::{{ type }}{%- endmacro %}
{% macro bigquery__typecast(field, type) -%}{{ bigquery__cast(field, type) }}{%- endmacro %}

{# A cast that gives null where the value does not convert (dbt's safe_cast). #}
{% macro safe_cast(field, type) -%}{{ return(adapter.dispatch('safe_cast', 'cco')(field, type)) }}{%- endmacro %}
{% macro duckdb__safe_cast(field, type) -%}try_cast({{ field }} as {{ type }}){%- endmacro %}
{% macro bigquery__safe_cast(field, type) -%}
{%- if (type | lower | trim) == 'json' -%}to_json_string(safe.parse_json({{ field }}))
{%- else -%}safe_cast({{ field }} as {{ bigquery_type(type) }}){%- endif -%}
{%- endmacro %}

{# A value as text, where BigQuery's || (strings only) needs it and DuckDB casts by itself. #}
{% macro as_text(expr) -%}{{ return(adapter.dispatch('as_text', 'cco')(expr)) }}{%- endmacro %}
{% macro duckdb__as_text(expr) -%}{{ expr }}{%- endmacro %}
{% macro bigquery__as_text(expr) -%}cast({{ expr }} as string){%- endmacro %}

{# dbt's type_* macros: the warehouse's name for each kind of column. #}
{% macro type_string() -%}{{ return(adapter.dispatch('type_string', 'cco')()) }}{%- endmacro %}
{% macro duckdb__type_string() -%}varchar{%- endmacro %}
{% macro bigquery__type_string() -%}STRING{%- endmacro %}
{# Money: exact, 10 decimals (models/README: never a float). #}
{% macro type_numeric() -%}{{ return(adapter.dispatch('type_numeric', 'cco')()) }}{%- endmacro %}
{% macro duckdb__type_numeric() -%}decimal(38, 10){%- endmacro %}
{% macro bigquery__type_numeric() -%}BIGNUMERIC(38, 10){%- endmacro %}
{% macro type_float() -%}{{ return(adapter.dispatch('type_float', 'cco')()) }}{%- endmacro %}
{% macro duckdb__type_float() -%}double{%- endmacro %}
{% macro bigquery__type_float() -%}FLOAT64{%- endmacro %}
{% macro type_bigint() -%}{{ return(adapter.dispatch('type_bigint', 'cco')()) }}{%- endmacro %}
{% macro duckdb__type_bigint() -%}bigint{%- endmacro %}
{% macro bigquery__type_bigint() -%}INT64{%- endmacro %}
{% macro type_boolean() -%}{{ return(adapter.dispatch('type_boolean', 'cco')()) }}{%- endmacro %}
{% macro duckdb__type_boolean() -%}boolean{%- endmacro %}
{% macro bigquery__type_boolean() -%}BOOL{%- endmacro %}
{# A point in time without a zone, in UTC (FOCUS's datetimes). #}
{% macro type_timestamp() -%}{{ return(adapter.dispatch('type_timestamp', 'cco')()) }}{%- endmacro %}
{% macro duckdb__type_timestamp() -%}timestamp{%- endmacro %}
{% macro bigquery__type_timestamp() -%}DATETIME{%- endmacro %}
{% macro type_json() -%}{{ return(adapter.dispatch('type_json', 'cco')()) }}{%- endmacro %}
{% macro duckdb__type_json() -%}json{%- endmacro %}
{% macro bigquery__type_json() -%}STRING{%- endmacro %}

{# cast() of the call block's body, for expressions over several lines. #}
{% macro cast_block(type) -%}{{ cast(caller(), type) }}{%- endmacro %}
{# typecast() of the call block's body. #}
{% macro typecast_block(type) -%}{{ typecast(caller(), type) }}{%- endmacro %}
