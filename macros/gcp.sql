{#
  A GCP billing export credit that is a committed use discount: by its type, or (exports from
  before credit types, 2019) by its name. The ->> operators are parenthesized: in DuckDB they bind
  more loosely than IS NULL and AND.
#}
{% macro gcp_is_cud_credit(credit) -%}
(coalesce(({{ credit }} ->> 'type'), '') like 'COMMITTED_USAGE_DISCOUNT%'
    or (({{ credit }} ->> 'type') is null and ({{ credit }} ->> 'name') ilike 'Committed Usage Discount%'))
{%- endmacro %}
