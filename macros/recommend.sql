{#
  Helpers the recommendation detectors share (models/intermediate/recommendations/).
#}

{#
  The first hours of a lookback window over the hourly metrics: their newest hour less N days.
  The newest hour is a literal where the build can ask (value_of), so the scans skip older files.
#}
{% macro metrics_window(days) -%}
{%- set newest = value_of("select max(hour_start) from " ~ ref('stg_metrics__hourly')) -%}
hour_start > {{ timestamp_days_before(typecast(newest, 'timestamptz'), days) }}
{%- endmacro %}

{# The first day of a lookback window over daily costs: the newest charge day less N days (as above). #}
{% macro cost_window(days) -%}
charge_date > {{ days_before(newest_day(ref('cost_daily'), 'charge_date'), days) }}
{%- endmacro %}

{#
  A tag key as the detectors compare it: providers spell the same key differently (CUR 2.0
  user_cost_center and aws_autoscaling_group_name, legacy CUR cost-center and
  aws:autoscaling:groupName), so the user prefix, case and punctuation are dropped.
#}
{% macro tag_key_normalized(key) -%}
{{ regexp_replace('lower(' ~ regexp_replace(key, "'^user[:_]'", "''") ~ ')', "'[^a-z0-9]'", "''", "'g'") }}
{%- endmacro %}

{#
  True where a resource's tags (JSON) carry any of the key: value pairs ("*" = any value; values
  compare case-insensitively).
#}
{% macro has_any_tag(tags, pairs) -%}{{ return(adapter.dispatch('has_any_tag', 'cco')(tags, pairs)) }}{%- endmacro %}
{% macro duckdb__has_any_tag(tags, pairs) -%}
exists (select 1 from json_each({{ tags }}) tag where
{%- for key, value in pairs.items() %}
    ({{ tag_key_normalized('tag.key') }} = {{ tag_key_normalized("'" ~ (key | replace("'", "''")) ~ "'") }}
    {%- if value != '*' %} and lower(tag.value ->> '$') = lower('{{ value | replace("'", "''") }}'){% endif %})
    {%- if not loop.last %} or{% endif %}
{%- endfor %}{% if not pairs %} false{% endif %})
{%- endmacro %}
{% macro bigquery__has_any_tag(tags, pairs) -%}
exists (select 1 from unnest(json_keys(safe.parse_json({{ tags }}), 1)) as tag_key where
{%- for key, value in pairs.items() %}
    ({{ tag_key_normalized('tag_key') }} = {{ tag_key_normalized(string_literal(key)) }}
    {%- if value != '*' %} and lower(json_value(safe.parse_json({{ tags }})[tag_key])) = lower({{ string_literal(value) }}){% endif %})
    {%- if not loop.last %} or{% endif %}
{%- endfor %}{% if not pairs %} false{% endif %})
{%- endmacro %}

{# A tag's value under the first of several keys present (as allocation dimensions read them). #}
{% macro tag_value(tags, keys) -%}
coalesce({% for key in keys %}nullif({{ json_text(tags, key) }}, ''), {% endfor %}null)
{%- endmacro %}
