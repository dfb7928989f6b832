{#-
    A JSON object from alternating key and value expressions:
    `json_build_object(["'value'", "x", "'baseline'", "b"])`. Keys are text
    literals; a null value becomes JSON null. DuckDB gives JSON, Postgres JSONB:
    the same document, compared parsed (key order and spacing differ in text).
-#}
{% macro json_build_object(pairs) -%}
    {{ return(adapter.dispatch('json_build_object', 'predelq')(pairs)) }}
{%- endmacro %}

{#- Postgres: jsonb_build_object (json_object() means something else before v16). -#}
{% macro default__json_build_object(pairs) -%}
    jsonb_build_object({{ pairs | join(', ') }})
{%- endmacro %}

{#- DuckDB: json_object with the same alternating arguments. -#}
{% macro duckdb__json_build_object(pairs) -%}
    json_object({{ pairs | join(', ') }})
{%- endmacro %}
