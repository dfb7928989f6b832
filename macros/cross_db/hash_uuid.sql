{#-
    A deterministic UUID from a list of expressions: the md5 of their text
    joined with '|' (nulls as empty), read as a UUID. Same input, same id, on
    every engine and every run, so rows keep their ids across rebuilds.
-#}
{% macro hash_uuid(exprs) -%}
    {{ return(adapter.dispatch('hash_uuid', 'predelq')(exprs)) }}
{%- endmacro %}

{% macro default__hash_uuid(exprs) -%}
    cast(md5(
        {%- for e in exprs %}
        coalesce(cast({{ e }} as {{ dbt.type_string() }}), '')
        {%- if not loop.last %} || '|' || {% endif -%}
        {% endfor %}
    ) as uuid)
{%- endmacro %}

{#- Spark has no uuid type: the same md5, spelled as DuckDB and Postgres print a uuid. -#}
{% macro spark__hash_uuid(exprs) -%}
    regexp_replace(md5(
        {%- for e in exprs %}
        coalesce(cast({{ e }} as string), '')
        {%- if not loop.last %} || '|' || {% endif -%}
        {% endfor %}
    ), '^(.{8})(.{4})(.{4})(.{4})(.{12})$', '$1-$2-$3-$4-$5')
{%- endmacro %}
