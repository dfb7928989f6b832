{#-
    `name as {{ inline_cte() }} (...)`: on PostgreSQL, `not materialized`. PostgreSQL
    copies a CTE read more than once into a work buffer before it reads it; for an
    import CTE of a large table (select * from a ref) that copy is pure cost and
    spills to disk. Not materialized, each reference scans the table itself
    (int_telemetry_aggregated_daily reads its 12 M readings three times: 56 s ->
    33 s at 450 vehicles x 240 days). DuckDB decides for itself: nothing to add.
-#}
{% macro inline_cte() -%}
    {{ return(adapter.dispatch('inline_cte', 'predelq')()) }}
{%- endmacro %}

{% macro default__inline_cte() -%}
{%- endmacro %}

{% macro postgres__inline_cte() -%}
    not materialized
{%- endmacro %}
