{#
  Timestamps as exports write them: ISO 8601 with or without zone (zoned ones converted to UTC),
  ISO with minutes only (2026-10-01T00:00Z, seen in FOCUS files), or US M/D/Y dates. ISO is tried
  first and the formats only where it fails: try_strptime with a list of formats costs ten times
  a cast, and most values (and all nulls) never need it. A timestamp without zone (BigQuery: a
  DATETIME), in UTC.
#}
{% macro parse_timestamp(expr) -%}{{ return(adapter.dispatch('parse_timestamp', 'cco')(expr)) }}{%- endmacro %}
{% macro duckdb__parse_timestamp(expr) -%}
case when {{ expr }} is not null then coalesce(
    try_cast(CAST({{ expr }} AS VARCHAR) AS TIMESTAMPTZ) AT TIME ZONE 'UTC',
    try_strptime(CAST({{ expr }} AS VARCHAR), ['%m/%d/%Y', '%m/%d/%Y %H:%M:%S', '%Y-%m-%dT%H:%MZ'])) end
{%- endmacro %}
{% macro bigquery__parse_timestamp(expr) -%}
case when {{ expr }} is not null then coalesce(
    datetime(safe_cast(cast({{ expr }} as string) as timestamp), 'UTC'),
    safe.parse_datetime('%m/%d/%Y', cast({{ expr }} as string)),
    safe.parse_datetime('%m/%d/%Y %H:%M:%S', cast({{ expr }} as string)),
    safe.parse_datetime('%Y-%m-%dT%H:%MZ', cast({{ expr }} as string))) end
{%- endmacro %}
