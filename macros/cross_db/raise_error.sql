{#-
    An expression that stops the query with `message_expr` (a text expression)
    as the error message, when it is evaluated. Put it behind a condition
    (`case when ... then {{ raise_error(...) }} end`, or in the select list of a
    query that returns rows only when something is wrong) so that it runs only
    on bad data. Used by the seed checks to name the offending rows.
-#}
{% macro raise_error(message_expr) -%}
    {{ return(adapter.dispatch('raise_error', 'predelq')(message_expr)) }}
{%- endmacro %}

{#- PostgreSQL has no raise function in plain SQL: casting the message to an integer
    fails with `invalid input syntax for type integer: "<message>"`, message included. -#}
{% macro default__raise_error(message_expr) -%}
    cast(({{ message_expr }}) as integer)
{%- endmacro %}

{#- DuckDB has error(), which raises the message as it is. -#}
{% macro duckdb__raise_error(message_expr) -%}
    cast(error({{ message_expr }}) as integer)
{%- endmacro %}

{% macro spark__raise_error(message_expr) -%}
    cast(raise_error({{ message_expr }}) as int)
{%- endmacro %}
