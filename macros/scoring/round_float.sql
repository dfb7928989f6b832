{#-
    round_decimal: a number rounded to `places` decimals (default 6) as a
    decimal; round_float: the same as a double.

    The double goes through numeric(38, 10) first: Postgres turns a double into
    a numeric from its 15 significant digits, DuckDB from its exact binary
    value, so a tie such as the median 1.0568025 (stored as 1.05680249999...)
    would round down on one engine and up on the other. Cut to 10 decimals
    first, both see 1.0568025000 and round it the same way (half away from
    zero). Baselines, z-scores, weighted means and the numbers in context JSON
    go through these, so both engines store the same figures.
-#}
{% macro round_decimal(expr, places=6) -%}
    round(cast({{ expr }} as numeric(38, 10)), {{ places }})
{%- endmacro %}

{% macro round_float(expr, places=6) -%}
    cast({{ round_decimal(expr, places) }} as {{ dbt.type_float() }})
{%- endmacro %}
