{#
  A GCP billing export credit that is a committed use discount: by its type, or (exports from
  before credit types, 2019) by its name. The ->> operators are parenthesized: in DuckDB they bind
  more loosely than IS NULL and AND.
#}
{% macro gcp_is_cud_credit(credit) -%}
(coalesce(({{ struct_field(credit, 'type') }}), '') like 'COMMITTED_USAGE_DISCOUNT%'
    or (({{ struct_field(credit, 'type') }}) is null and {{ ilike('(' ~ struct_field(credit, 'name') ~ ')', "'Committed Usage Discount%'") }}))
{%- endmacro %}

{#
  The GCP billing export's own columns, as the lake has them (ingest's text and its _ columns)
  and as BigQuery's export table has them (TIMESTAMPs; the invoice month; export_time).
#}
{# A usage time as UTC without zone: the lake has text ('2026-10-01 00:00:00 UTC'). #}
{% macro gcp_export_timestamp(column) -%}{{ return(adapter.dispatch('gcp_export_timestamp', 'cco')(column)) }}{%- endmacro %}
{% macro duckdb__gcp_export_timestamp(column) -%}replace({{ column }}, ' UTC', '')::timestamp{%- endmacro %}
{% macro bigquery__gcp_export_timestamp(column) -%}datetime({{ column }}, 'UTC'){%- endmacro %}

{# The billing period (YYYY-MM): the lake's partition, the export's invoice month. #}
{% macro gcp_export_billing_period() -%}{{ return(adapter.dispatch('gcp_export_billing_period', 'cco')()) }}{%- endmacro %}
{% macro duckdb__gcp_export_billing_period() -%}_billing_period{%- endmacro %}
{% macro bigquery__gcp_export_billing_period() -%}concat(substr(invoice.month, 1, 4), '-', substr(invoice.month, 5, 2)){%- endmacro %}

{#
  The load a row came with, newer for later loads (marts rebuild a period whose newest load is
  newer than theirs): ingest's load id; the time BigQuery's export wrote the row, in microseconds.
#}
{% macro gcp_export_load_id() -%}{{ return(adapter.dispatch('gcp_export_load_id', 'cco')()) }}{%- endmacro %}
{% macro duckdb__gcp_export_load_id() -%}_load_id{%- endmacro %}
{% macro bigquery__gcp_export_load_id() -%}unix_micros(export_time){%- endmacro %}

{# Where a row came from: the lake file, or the export table. #}
{% macro gcp_export_source_file(relation) -%}{{ return(adapter.dispatch('gcp_export_source_file', 'cco')(relation)) }}{%- endmacro %}
{% macro duckdb__gcp_export_source_file(relation) -%}_source_file{%- endmacro %}
{% macro bigquery__gcp_export_source_file(relation) -%}{{ string_literal('bigquery:' ~ (relation | replace('`', ''))) }}{%- endmacro %}
