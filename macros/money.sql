{#
  Exact money from any text or number. Text is parsed as written. A DOUBLE is read as its
  shortest decimal form (what the export meant, never its binary noise): below 1e5 in size a
  direct cast gives that same value to 10 decimals (the double is within 6e-12 of it), and is
  30x faster than going through text, which larger amounts still do.
  Text is parsed as DECIMAL(18, 10) first (one 64-bit parse, below 1e8 in size) and only what
  does not fit as DECIMAL(38, 10): DuckDB's 128-bit parse of text costs about 6 us a value, 30x
  the narrow one, and was most of a full build's time on text exports (Azure, GCP, CSV). Both
  round the same way past 10 decimals. Whole numbers past 1e8 (usage amounts in bytes, say) are
  parsed as BIGINT, also narrow.
  on_error: 'fail' (the models: a value ingest let through must parse) or 'null' (ingest's
  validation, which reports the row that does not parse). One definition for both.
  BigQuery: through text always, to BIGNUMERIC(38, 10) (DuckDB's DECIMAL(38, 10)).
#}
{% macro money(expr, on_error='fail') -%}{{ return(adapter.dispatch('money', 'cco')(expr, on_error)) }}{%- endmacro %}
{% macro duckdb__money(expr, on_error) -%}
CASE WHEN typeof({{ expr }}) IN ('DOUBLE', 'FLOAT') AND abs(TRY_CAST({{ expr }} AS DOUBLE)) < 100000
THEN CAST(TRY_CAST({{ expr }} AS DOUBLE) AS DECIMAL(38, 10))
ELSE coalesce(TRY_CAST(CAST({{ expr }} AS VARCHAR) AS DECIMAL(18, 10)),
    CASE WHEN regexp_full_match(CAST({{ expr }} AS VARCHAR), '-?[0-9]{1,18}(\.0*)?')
        THEN CAST(CAST(CAST({{ expr }} AS VARCHAR) AS BIGINT) AS DECIMAL(38, 10)) END,
    {{ 'TRY_CAST' if on_error == 'null' else 'CAST' }}(CAST({{ expr }} AS VARCHAR) AS DECIMAL(38, 10))) END
{%- endmacro %}
{% macro bigquery__money(expr, on_error) -%}
{{ 'SAFE_CAST' if on_error == 'null' else 'CAST' }}(CAST({{ expr }} AS STRING) AS BIGNUMERIC(38, 10))
{%- endmacro %}
