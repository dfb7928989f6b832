{#-
    A set-returning expression: one row per date from start_date to end_date
    (inclusive; none when end < start), typed date. Use it in a select list:
    `select asset_id, {{ day_series('first_date', 'last_date') }} as local_date from ...`.
-#}
{% macro day_series(start_date, end_date) -%}
    {{ return(adapter.dispatch('day_series', 'predelq')(start_date, end_date)) }}
{%- endmacro %}

{#- Postgres: generate_series is a set-returning function usable in the select list. -#}
{% macro default__day_series(start_date, end_date) -%}
    cast(generate_series(
        cast({{ start_date }} as date), cast({{ end_date }} as date), interval '1 day'
    ) as date)
{%- endmacro %}

{#- DuckDB: generate_series returns a list in the select list; unnest makes it rows. -#}
{% macro duckdb__day_series(start_date, end_date) -%}
    cast(unnest(generate_series(
        cast({{ start_date }} as date), cast({{ end_date }} as date), interval '1 day'
    )) as date)
{%- endmacro %}

{#- Spark: sequence() builds the array of dates, explode() makes the rows. -#}
{% macro spark__day_series(start_date, end_date) -%}
    explode(sequence(cast({{ start_date }} as date), cast({{ end_date }} as date), interval 1 day))
{%- endmacro %}
