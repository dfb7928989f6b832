{#-
    Seconds since 1970-01-01 00:00 UTC of a timestamptz (or of a timestamp read
    as UTC), as a double with the fractional seconds. Postgres' extract returns
    numeric, DuckDB's a double: the cast makes both doubles.
-#}
{% macro epoch_seconds(ts) -%}
    {{ return(adapter.dispatch('epoch_seconds', 'predelq')(ts)) }}
{%- endmacro %}

{% macro default__epoch_seconds(ts) -%}
    cast(extract(epoch from {{ ts }}) as {{ dbt.type_float() }})
{%- endmacro %}

{#- Spark has no extract(epoch ...): microseconds since the epoch (timestamps are instants). -#}
{% macro spark__epoch_seconds(ts) -%}
    (cast(unix_micros(cast({{ ts }} as timestamp)) as double) / 1000000.0)
{%- endmacro %}
