{#
  Dates and times. DuckDB does arithmetic with operators (date - 7, ts + interval 1 month);
  BigQuery with functions, on DATE and DATETIME apart.
#}

{# dbt's dateadd: a timestamp (or date) plus N dateparts, a timestamp (BigQuery: a DATETIME). #}
{% macro dateadd(datepart, interval, from_date_or_timestamp) -%}
{{ return(adapter.dispatch('dateadd', 'cco')(datepart, interval, from_date_or_timestamp)) }}
{%- endmacro %}
{% macro duckdb__dateadd(datepart, interval, from_date_or_timestamp) -%}
{{ from_date_or_timestamp }} + interval {{ interval }} {{ datepart }}
{%- endmacro %}
{% macro bigquery__dateadd(datepart, interval, from_date_or_timestamp) -%}
datetime_add(cast({{ from_date_or_timestamp }} as datetime), interval {{ interval }} {{ datepart }})
{%- endmacro %}

{# A date N days later / earlier, still a date. #}
{% macro days_after(date, days) -%}{{ return(adapter.dispatch('days_after', 'cco')(date, days)) }}{%- endmacro %}
{% macro duckdb__days_after(date, days) -%}{{ date }} + {{ days }}{%- endmacro %}
{% macro bigquery__days_after(date, days) -%}date_add({{ date }}, interval {{ days }} day){%- endmacro %}
{% macro days_before(date, days) -%}{{ return(adapter.dispatch('days_before', 'cco')(date, days)) }}{%- endmacro %}
{% macro duckdb__days_before(date, days) -%}{{ date }} - {{ days }}{%- endmacro %}
{% macro bigquery__days_before(date, days) -%}date_sub({{ date }}, interval {{ days }} day){%- endmacro %}

{# A zoned timestamp N days earlier. #}
{% macro timestamp_days_before(ts, days) -%}{{ return(adapter.dispatch('timestamp_days_before', 'cco')(ts, days)) }}{%- endmacro %}
{% macro duckdb__timestamp_days_before(ts, days) -%}{{ ts }} - to_days({{ days }}){%- endmacro %}
{% macro bigquery__timestamp_days_before(ts, days) -%}timestamp_sub({{ ts }}, interval {{ days }} day){%- endmacro %}

{# dbt's datediff: whole dateparts from first to second (the models use days between dates). #}
{% macro datediff(first_date, second_date, datepart) -%}
{{ return(adapter.dispatch('datediff', 'cco')(first_date, second_date, datepart)) }}
{%- endmacro %}
{% macro duckdb__datediff(first_date, second_date, datepart) -%}
{%- if datepart != 'day' -%}{{ exceptions.raise_compiler_error('datediff: only days on DuckDB') }}{%- endif -%}
{{ second_date }} - {{ first_date }}
{%- endmacro %}
{% macro bigquery__datediff(first_date, second_date, datepart) -%}
date_diff({{ second_date }}, {{ first_date }}, {{ datepart }})
{%- endmacro %}

{# A zoned timestamp as the wall-clock time in UTC (no zone). #}
{% macro at_utc(ts) -%}{{ return(adapter.dispatch('at_utc', 'cco')(ts)) }}{%- endmacro %}
{% macro duckdb__at_utc(ts) -%}{{ ts }} at time zone 'UTC'{%- endmacro %}
{% macro bigquery__at_utc(ts) -%}datetime({{ ts }}, 'UTC'){%- endmacro %}

{# Text in a strftime format as a timestamp without zone (format: a SQL string literal). #}
{% macro parse_datetime(expr, format) -%}{{ return(adapter.dispatch('parse_datetime', 'cco')(expr, format)) }}{%- endmacro %}
{% macro duckdb__parse_datetime(expr, format) -%}strptime({{ expr }}, {{ format }}){%- endmacro %}
{% macro bigquery__parse_datetime(expr, format) -%}parse_datetime({{ format }}, {{ expr }}){%- endmacro %}

{# The number of days in a date's month. #}
{% macro days_in_month(date) -%}{{ return(adapter.dispatch('days_in_month', 'cco')(date)) }}{%- endmacro %}
{% macro duckdb__days_in_month(date) -%}day(last_day({{ date }})){%- endmacro %}
{% macro bigquery__days_in_month(date) -%}extract(day from last_day({{ date }})){%- endmacro %}

{# ISO day of the week, Monday 1 to Sunday 7. #}
{% macro iso_day_of_week(ts) -%}{{ return(adapter.dispatch('iso_day_of_week', 'cco')(ts)) }}{%- endmacro %}
{% macro duckdb__iso_day_of_week(ts) -%}isodow({{ ts }}){%- endmacro %}
{% macro bigquery__iso_day_of_week(ts) -%}(mod(extract(dayofweek from {{ ts }}) + 5, 7) + 1){%- endmacro %}

{% macro hour_of_day(ts) -%}{{ return(adapter.dispatch('hour_of_day', 'cco')(ts)) }}{%- endmacro %}
{% macro duckdb__hour_of_day(ts) -%}hour({{ ts }}){%- endmacro %}
{% macro bigquery__hour_of_day(ts) -%}extract(hour from {{ ts }}){%- endmacro %}

{# dbt's current_timestamp. #}
{% macro current_timestamp() -%}{{ return(adapter.dispatch('current_timestamp', 'cco')()) }}{%- endmacro %}
{% macro duckdb__current_timestamp() -%}now(){%- endmacro %}
{% macro bigquery__current_timestamp() -%}current_timestamp(){%- endmacro %}
