{#-
    The text of key `key` (a plain name) of a JSON object column; null when absent.
    DuckDB and Postgres: the ->> operator; Spark (JSON is text there): get_json_object.
-#}
{% macro json_get_text(json_expr, key) -%}
    {{ return(adapter.dispatch('json_get_text', 'predelq')(json_expr, key)) }}
{%- endmacro %}

{% macro default__json_get_text(json_expr, key) -%}
    ({{ json_expr }} ->> '{{ key }}')
{%- endmacro %}

{% macro spark__json_get_text(json_expr, key) -%}
    get_json_object({{ json_expr }}, '$.{{ key }}')
{%- endmacro %}
