{# Exact money from any text or number: via text, so a DOUBLE's shortest form is kept, never its binary noise. #}
{% macro money(expr) -%}
CAST(CAST({{ expr }} AS VARCHAR) AS DECIMAL(38, 10))
{%- endmacro %}
