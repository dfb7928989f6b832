{#-
    Day of the week of a date, 0 = Sunday .. 6 = Saturday (Postgres' and DuckDB's
    extract(dow)). Spark's extract(dow) counts Sunday = 1 .. Saturday = 7.
-#}
{% macro day_of_week(date_expr) -%}
    {{ return(adapter.dispatch('day_of_week', 'predelq')(date_expr)) }}
{%- endmacro %}

{% macro default__day_of_week(date_expr) -%}
    extract(dow from {{ date_expr }})
{%- endmacro %}

{% macro spark__day_of_week(date_expr) -%}
    (dayofweek({{ date_expr }}) - 1)
{%- endmacro %}
