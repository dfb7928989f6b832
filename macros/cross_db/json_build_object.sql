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

{#- Spark: JSON is text; a struct written by to_json, nulls kept as JSON null. A value
    that is JSON already (json_value(...), a nested json_build_object or json_array_agg)
    goes in parsed (parse_json, a VARIANT), or it would be written as a quoted string. -#}
{% macro spark__json_build_object(pairs) -%}
    {%- set items = [] -%}
    {%- for p in pairs -%}
        {%- set text = p | string | trim -%}
        {%- if loop.index0 is odd and (text.startswith('to_json(') or text.startswith('case when count(')) -%}
            {%- do items.append('parse_json(' ~ text ~ ')') -%}
        {%- else -%}
            {%- do items.append(text) -%}
        {%- endif -%}
    {%- endfor -%}
    to_json(named_struct({{ items | join(', ') }}), map('ignoreNullFields', 'false'))
{%- endmacro %}

{#- A JSON column used as a value of json_build_object: as it is on DuckDB and Postgres,
    parsed on Spark (where JSON columns are text). -#}
{% macro json_value(expr) -%}
    {{ return(adapter.dispatch('json_value', 'predelq')(expr)) }}
{%- endmacro %}

{% macro default__json_value(expr) -%}
    {{ expr }}
{%- endmacro %}

{% macro spark__json_value(expr) -%}
    parse_json({{ expr }})
{%- endmacro %}
