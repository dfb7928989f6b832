{#-
    A pre-hook for the analytic models: switch PostgreSQL's JIT off for the
    model's transaction. Row estimates of set-returning functions and CTEs make
    the planner think these queries are huge, and JIT then spends seconds
    compiling (3.6 s of a 3.8 s incremental day, measured) for queries that run
    in milliseconds. DuckDB has no JIT: nothing to do.
-#}
{% macro disable_jit() -%}
    {{ return(adapter.dispatch('disable_jit', 'predelq')()) }}
{%- endmacro %}

{#- Engines without a JIT: no statement (dbt skips an empty hook). -#}
{% macro default__disable_jit() -%}
{%- endmacro %}

{#- PostgreSQL: `set local` lasts until the model's transaction ends. -#}
{% macro postgres__disable_jit() -%}
    set local jit = off
{%- endmacro %}
