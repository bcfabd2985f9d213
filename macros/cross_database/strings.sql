{#
  Text and regular expressions. Both engines use RE2; BigQuery reads a pattern from a raw string
  (r'...', where a backslash is the regex's own), DuckDB from a plain one (no escapes either).
  Patterns are given as SQL string literals ("'^a.*'").
#}

{# A pattern literal as BigQuery takes it: raw, so \b and \. reach RE2 as written. #}
{% macro bigquery_regex(pattern) -%}
{%- if (pattern | string)[0] == "'" -%}r{{ pattern }}{%- else -%}{{ pattern }}{%- endif -%}
{%- endmacro %}

{# True where the pattern matches anywhere in the text. #}
{% macro regexp_contains(expr, pattern) -%}{{ return(adapter.dispatch('regexp_contains', 'cco')(expr, pattern)) }}{%- endmacro %}
{% macro duckdb__regexp_contains(expr, pattern) -%}regexp_matches({{ expr }}, {{ pattern }}){%- endmacro %}
{% macro bigquery__regexp_contains(expr, pattern) -%}regexp_contains({{ expr }}, {{ bigquery_regex(pattern) }}){%- endmacro %}

{#
  The first match: group 0 (the whole match) for a pattern without capturing groups, else its
  one group (group 1), as BigQuery's regexp_extract can only do. '' where nothing matches, as DuckDB.
#}
{% macro regexp_extract(expr, pattern, group=none) -%}
{{ return(adapter.dispatch('regexp_extract', 'cco')(expr, pattern, group)) }}
{%- endmacro %}
{% macro duckdb__regexp_extract(expr, pattern, group) -%}
regexp_extract({{ expr }}, {{ pattern }}{% if group is not none %}, {{ group }}{% endif %})
{%- endmacro %}
{% macro bigquery__regexp_extract(expr, pattern, group) -%}
if({{ expr }} is null, null, coalesce(regexp_extract({{ expr }}, {{ bigquery_regex(pattern) }}), ''))
{%- endmacro %}

{#
  Matches replaced: every one with flags 'g'; without, DuckDB replaces the first and BigQuery every
  one (the models pass anchored patterns there, which match once).
#}
{% macro regexp_replace(expr, pattern, replacement, flags=none) -%}
{{ return(adapter.dispatch('regexp_replace', 'cco')(expr, pattern, replacement, flags)) }}
{%- endmacro %}
{% macro duckdb__regexp_replace(expr, pattern, replacement, flags) -%}
regexp_replace({{ expr }}, {{ pattern }}, {{ replacement }}{% if flags is not none %}, {{ flags }}{% endif %})
{%- endmacro %}
{% macro bigquery__regexp_replace(expr, pattern, replacement, flags) -%}
regexp_replace({{ expr }}, {{ bigquery_regex(pattern) }}, {{ replacement }})
{%- endmacro %}

{# Case-insensitive LIKE. #}
{% macro ilike(expr, pattern) -%}{{ return(adapter.dispatch('ilike', 'cco')(expr, pattern)) }}{%- endmacro %}
{% macro duckdb__ilike(expr, pattern) -%}{{ expr }} ilike {{ pattern }}{%- endmacro %}
{% macro bigquery__ilike(expr, pattern) -%}lower({{ expr }}) like lower({{ pattern }}){%- endmacro %}

{# dbt's split_part: the Nth piece (from 1); '' past the last, as DuckDB. #}
{% macro split_part(string_text, delimiter_text, part_number) -%}
{{ return(adapter.dispatch('split_part', 'cco')(string_text, delimiter_text, part_number)) }}
{%- endmacro %}
{% macro duckdb__split_part(string_text, delimiter_text, part_number) -%}
split_part({{ string_text }}, {{ delimiter_text }}, {{ part_number }})
{%- endmacro %}
{% macro bigquery__split_part(string_text, delimiter_text, part_number) -%}
if({{ string_text }} is null, null, coalesce(split({{ string_text }}, {{ delimiter_text }})[safe_ordinal({{ part_number }})], ''))
{%- endmacro %}

{# dbt's hash: the MD5 of a text, as 32 hex digits. #}
{% macro hash(field) -%}{{ return(adapter.dispatch('hash', 'cco')(field)) }}{%- endmacro %}
{% macro duckdb__hash(field) -%}md5({{ field }}){%- endmacro %}
{% macro bigquery__hash(field) -%}to_hex(md5({{ field }})){%- endmacro %}

{# The parts (a list of expressions) joined by a separator, nulls left out. #}
{% macro concat_ws(separator, parts) -%}{{ return(adapter.dispatch('concat_ws', 'cco')(separator, parts)) }}{%- endmacro %}
{% macro duckdb__concat_ws(separator, parts) -%}concat_ws({{ separator }}, {{ parts | join(', ') }}){%- endmacro %}
{% macro bigquery__concat_ws(separator, parts) -%}
array_to_string([{% for part in parts %}cast({{ part }} as string){% if not loop.last %}, {% endif %}{% endfor %}], {{ separator }})
{%- endmacro %}

{# A text value as a SQL string literal (DuckDB doubles a quote, BigQuery escapes it). #}
{% macro string_literal(value) -%}{{ return(adapter.dispatch('string_literal', 'cco')(value)) }}{%- endmacro %}
{% macro duckdb__string_literal(value) -%}'{{ value | replace("'", "''") }}'{%- endmacro %}
{% macro bigquery__string_literal(value) -%}'{{ value | replace("\\", "\\\\") | replace("'", "\\'") }}'{%- endmacro %}

{#
  A raw (lake) column by the name the export gave it: quoted on DuckDB; on BigQuery, whose column
  names hold letters, digits and _ only, as its external table names it (characters other than
  those as _, BigQuery's column_name_character_map V1: lineItem/UsageStartDate is
  lineItem_UsageStartDate). cco models bigquery-sources declares the same names.
#}
{% macro raw_column(name) -%}{{ return(adapter.dispatch('raw_column', 'cco')(name)) }}{%- endmacro %}
{% macro default__raw_column(name) -%}{{ adapter.quote(name) }}{%- endmacro %}
{% macro bigquery__raw_column(name) -%}
`{{ name | replace('/', '_') | replace(':', '_') | replace(' ', '_') | replace('-', '_') | replace('.', '_') }}`
{%- endmacro %}
