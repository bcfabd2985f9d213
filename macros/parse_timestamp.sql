{# Timestamps as exports write them: ISO 8601 (with or without zone; zoned ones converted to UTC) or US M/D/Y dates. #}
{% macro parse_timestamp(expr) -%}
coalesce(try_strptime(CAST({{ expr }} AS VARCHAR), ['%m/%d/%Y', '%m/%d/%Y %H:%M:%S']), try_cast(CAST({{ expr }} AS VARCHAR) AS TIMESTAMPTZ) AT TIME ZONE 'UTC')
{%- endmacro %}
