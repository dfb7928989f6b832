{#-
    The type of uuid columns: uuid on DuckDB and Postgres, text on Spark (no uuid
    type; hash_uuid spells its ids the same way). `type_timestamptz()`: an instant
    (timestamptz; Spark's TIMESTAMP is one, read in the session time zone, UTC).
-#}
{% macro type_uuid() -%}
    {{ return(adapter.dispatch('type_uuid', 'predelq')()) }}
{%- endmacro %}

{% macro default__type_uuid() -%}
    uuid
{%- endmacro %}

{% macro spark__type_uuid() -%}
    string
{%- endmacro %}

{% macro type_timestamptz() -%}
    {{ return(adapter.dispatch('type_timestamptz', 'predelq')()) }}
{%- endmacro %}

{% macro default__type_timestamptz() -%}
    timestamptz
{%- endmacro %}

{% macro spark__type_timestamptz() -%}
    timestamp
{%- endmacro %}

{#- The marts' contract types, spelled as their contracts declare them (text, double
    precision) on DuckDB and Postgres, and as Spark names them (string, double). -#}
{% macro type_text() -%}
    {{ return(adapter.dispatch('type_text', 'predelq')()) }}
{%- endmacro %}

{% macro default__type_text() -%}
    text
{%- endmacro %}

{% macro spark__type_text() -%}
    string
{%- endmacro %}

{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'predelq')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}
