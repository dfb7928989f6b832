{#- The UTC instant at which a local calendar day (var local_timezone) starts. -#}
{% macro local_midnight_utc(date_column) -%}
    {{ return(adapter.dispatch('local_midnight_utc', 'predelq')(date_column)) }}
{%- endmacro %}

{% macro default__local_midnight_utc(date_column) -%}
    (cast({{ date_column }} as timestamp) at time zone '{{ var("local_timezone") }}')
{%- endmacro %}

{#- Spark has no AT TIME ZONE: to_utc_timestamp reads a wall-clock time in a zone. -#}
{% macro spark__local_midnight_utc(date_column) -%}
    to_utc_timestamp(cast({{ date_column }} as timestamp), '{{ var("local_timezone") }}')
{%- endmacro %}
