{#- A timestamptz as wall-clock time in the portfolio's zone (var local_timezone). -#}
{% macro to_local_timestamp(ts_column) -%}
    {{ return(adapter.dispatch('to_local_timestamp', 'predelq')(ts_column)) }}
{%- endmacro %}

{% macro default__to_local_timestamp(ts_column) -%}
    ({{ ts_column }} at time zone '{{ var("local_timezone") }}')
{%- endmacro %}

{#- Spark: from_utc_timestamp gives the wall-clock time in the zone (a timestamp whose
    date and hour are the local ones, as AT TIME ZONE gives on the other engines). -#}
{% macro spark__to_local_timestamp(ts_column) -%}
    from_utc_timestamp({{ ts_column }}, '{{ var("local_timezone") }}')
{%- endmacro %}
