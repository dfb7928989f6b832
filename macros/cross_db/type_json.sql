{#- The JSON column type: JSON on DuckDB, JSONB on Postgres (as predelq/landing.py). -#}
{% macro type_json() -%}
    {{ return(adapter.dispatch('type_json', 'predelq')()) }}
{%- endmacro %}

{#- Postgres: jsonb (indexable, what json_build_object returns there). -#}
{% macro default__type_json() -%}
    jsonb
{%- endmacro %}

{#- DuckDB: json (the json extension's type). -#}
{% macro duckdb__type_json() -%}
    json
{%- endmacro %}

{#- Spark has no JSON type: JSON documents are text. -#}
{% macro spark__type_json() -%}
    string
{%- endmacro %}
