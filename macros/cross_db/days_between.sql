{#-
    Whole days from date `start_date` to date `end_date` (an integer; negative when
    end is earlier). DuckDB and Postgres subtract dates to an integer; Spark's
    date - date is an interval, so it uses datediff.
-#}
{% macro days_between(start_date, end_date) -%}
    {{ return(adapter.dispatch('days_between', 'predelq')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__days_between(start_date, end_date) -%}
    (({{ end_date }}) - ({{ start_date }}))
{%- endmacro %}

{% macro spark__days_between(start_date, end_date) -%}
    datediff({{ end_date }}, {{ start_date }})
{%- endmacro %}
