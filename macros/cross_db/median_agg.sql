{#-
    Median of a numeric expression as an aggregate (group by), with linear
    interpolation between the two middle values for an even count; null for no
    rows. Both engines give the same number. (Neither engine needs a window
    median here: std-dev baselines join each day to its trailing days and
    aggregate, because the MAD needs each window's own median.)
-#}
{% macro median_agg(expr) -%}
    {{ return(adapter.dispatch('median_agg', 'predelq')(expr)) }}
{%- endmacro %}

{#- Postgres: the ordered-set aggregate (it has no median()). -#}
{% macro default__median_agg(expr) -%}
    percentile_cont(0.5) within group (order by cast({{ expr }} as {{ dbt.type_float() }}))
{%- endmacro %}

{#- DuckDB: median() is the same interpolated median and its native spelling. -#}
{% macro duckdb__median_agg(expr) -%}
    median(cast({{ expr }} as {{ dbt.type_float() }}))
{%- endmacro %}

{#- Spark: percentile() is exact, with the same linear interpolation. -#}
{% macro spark__median_agg(expr) -%}
    percentile(cast({{ expr }} as double), 0.5)
{%- endmacro %}
