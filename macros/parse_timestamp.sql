{#
  Timestamps as exports write them: ISO 8601 with or without zone (zoned ones converted to UTC),
  ISO with minutes only (2026-10-01T00:00Z, seen in FOCUS files), or US M/D/Y dates. ISO is tried
  first and the formats only where it fails: try_strptime with a list of formats costs ten times
  a cast, and most values (and all nulls) never need it. A timestamp without zone (BigQuery: a
  DATETIME), in UTC.
#}
{% macro parse_timestamp(expr) -%}{{ return(adapter.dispatch('parse_timestamp', 'cco')(expr)) }}{%- endmacro %}
{#
  DuckDB: a value with an offset or a zone name after its time is cast as TIMESTAMPTZ and moved
  to UTC. Any other (no zone, Z or a trailing " UTC") is cast as TIMESTAMP, which reads it as
  written: the same instant whatever the session's TimeZone (a TIMESTAMPTZ cast of a zone-less
  value takes the session's zone, and DuckDB 1.5 even the zone of a named-zone value before it in
  the same vector), and a TIMESTAMPTZ cast of "… UTC", BigQuery's text form, costs 30 times as
  much (a zone lookup a row: 2.3 µs).
#}
{% macro duckdb__parse_timestamp(expr) -%}
{%- set text = 'CAST(' ~ expr ~ ' AS VARCHAR)' -%}
case when {{ expr }} is not null then coalesce(
    case when contains({{ text }}, ':') and regexp_matches({{ text }}, ':\d\d(\.\d*)?\s*([+-]\d|[A-Za-z]{2})')
            and not ends_with({{ text }}, ' UTC')
        then try_cast({{ text }} AS TIMESTAMPTZ) AT TIME ZONE 'UTC'
        else try_cast({{ text }} AS TIMESTAMP) end,
    try_strptime({{ text }}, ['%m/%d/%Y', '%m/%d/%Y %H:%M:%S', '%Y-%m-%dT%H:%MZ'])) end
{%- endmacro %}
{% macro bigquery__parse_timestamp(expr) -%}
case when {{ expr }} is not null then coalesce(
    datetime(safe_cast(cast({{ expr }} as string) as timestamp), 'UTC'),
    safe.parse_datetime('%m/%d/%Y', cast({{ expr }} as string)),
    safe.parse_datetime('%m/%d/%Y %H:%M:%S', cast({{ expr }} as string)),
    safe.parse_datetime('%Y-%m-%dT%H:%MZ', cast({{ expr }} as string))) end
{%- endmacro %}
