{#-
    Override of dbt's `type_float()` for DuckDB (dbt_project.yml routes the `dbt`
    namespace through this project first). dbt-duckdb renders `float`, which
    DuckDB reads as single precision (4 bytes: an odometer of 123456.78 km
    becomes 123456.78125); Postgres' `float` is double precision. Both engines
    must carry the same doubles, or DuckDB and Postgres disagree on every
    distance and odometer delta.
-#}
{% macro duckdb__type_float() -%}
    double
{%- endmacro %}

{#- Spark's float is single precision too: doubles, as on the other engines. -#}
{% macro spark__type_float() -%}
    double
{%- endmacro %}
