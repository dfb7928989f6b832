{#-
    True when the text expression is a plain decimal number (optional sign,
    digits, optional decimal point, optional exponent; surrounding blanks
    allowed), false otherwise, null for null. `nan`, `inf`, `1,5` and `12 km`
    are not numbers. Lets a seed's text column be checked before it is cast,
    identically on every engine (DuckDB's try_cast accepts `nan`; Postgres 15
    has no safe cast at all).
-#}
{% macro text_is_number(text_expr) -%}
    {{ return(adapter.dispatch('text_is_number', 'predelq')(text_expr)) }}
{%- endmacro %}

{#- Postgres: the `~` regex operator (anchors needed: it matches anywhere). -#}
{% macro default__text_is_number(text_expr) -%}
    (({{ text_expr }}) ~ '^\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\s*$')
{%- endmacro %}

{#- DuckDB: regexp_full_match (the `~` operator is a glob-like SIMILAR TO there). -#}
{% macro duckdb__text_is_number(text_expr) -%}
    regexp_full_match(({{ text_expr }}), '\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\s*')
{%- endmacro %}

{#- Spark: Java regex; backslashes are escapes in Spark string literals, hence doubled. -#}
{% macro spark__text_is_number(text_expr) -%}
    (({{ text_expr }}) rlike '^\\s*[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?\\s*$')
{%- endmacro %}
