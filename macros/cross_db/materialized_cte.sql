{#-
    `name as {{ materialized_cte() }} (...)`: an optimisation fence on PostgreSQL.
    Its planner estimates one row for CTEs that read views and joins of CTEs, then
    reorders joins around that guess (measured on int_indicator_baselines: the
    trailing-day join ran as a 700 M-comparison nested loop). A materialized CTE is
    computed once, in the order written. DuckDB plans these CTEs well: nothing to add.
-#}
{% macro materialized_cte() -%}
    {{ return(adapter.dispatch('materialized_cte', 'predelq')()) }}
{%- endmacro %}

{% macro default__materialized_cte() -%}
{%- endmacro %}

{% macro postgres__materialized_cte() -%}
    materialized
{%- endmacro %}
