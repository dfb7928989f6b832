{#-
    Makes a model that reads the ml score landing tables wait for the Python
    model `ml_scoring_runs`, which writes them inside `dbt build` on DuckDB.
    PostgreSQL runs no Python models: there `predelq score` writes the tables
    between two builds (`make pipeline`), so there is nothing to wait for.
-#}
{% macro depend_on_python_scorer() -%}
    {{ return(adapter.dispatch('depend_on_python_scorer', 'predelq')()) }}
{%- endmacro %}

{% macro default__depend_on_python_scorer() -%}
{%- endmacro %}

{#- DuckDB: the only adapter here that runs the Python scorer inside dbt build. -#}
{% macro duckdb__depend_on_python_scorer() -%}
    -- depends_on: {{ ref('ml_scoring_runs') }}
{%- endmacro %}
