{#-
    A pre-hook for models that join large CTEs on PostgreSQL: no nested-loop joins
    for the model's transaction. The planner's one-row estimates of CTEs and views
    (see materialized_cte) otherwise pick nested loops over hundreds of thousands of
    rows on each side; hash and merge joins do work proportional to the rows.
    DuckDB has no such switch and does not need it.
-#}
{% macro hash_joins_only() -%}
    {{ return(adapter.dispatch('hash_joins_only', 'predelq')()) }}
{%- endmacro %}

{% macro default__hash_joins_only() -%}
{%- endmacro %}

{#- PostgreSQL: `set local` lasts until the model's transaction ends. -#}
{% macro postgres__hash_joins_only() -%}
    set local enable_nestloop = off
{%- endmacro %}
