{#-
    A pre-hook for a model that joins every reading to a small table on
    PostgreSQL: no merge joins for the model's transaction. The planner prices a
    hash join with an expensive join filter (the haversine distance of
    int_poi_visits_aggregated_daily) far above its cost, and sorted 12 M readings
    to disk to merge them with 55 k POI cells instead of hashing the cells (33 s
    -> 21 s at 450 vehicles x 240 days, readings every 10 minutes; D26).
    DuckDB has no such switch and does not need it.
-#}
{% macro no_merge_joins() -%}
    {{ return(adapter.dispatch('no_merge_joins', 'predelq')()) }}
{%- endmacro %}

{% macro default__no_merge_joins() -%}
{%- endmacro %}

{#- PostgreSQL: `set local` lasts until the model's transaction ends. -#}
{% macro postgres__no_merge_joins() -%}
    set local enable_mergejoin = off
{%- endmacro %}
