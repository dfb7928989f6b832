{#-
    The first local day an incremental run recomputes, as a scalar SQL
    expression (call it only inside `is_incremental()`). Every incremental model
    picks its days through this macro:

    - default: `lookback` days (var telemetry_lookback_days) before the latest
      day already in the model's table (`date_column` of {{ this }}): late data
      and late payments change values that far back;
    - telemetry_window=true: the first day of the telemetry window that
      int_telemetry_readings_enriched holds (resolve_telemetry_window, the one
      stateful step: it reads only the readings that are new or late, so the
      readings-shaped models recompute only those days). The calling model must
      ref int_telemetry_readings_enriched itself.
-#}
{% macro recompute_from(date_column='local_date', lookback=none, telemetry_window=false) -%}
    {%- if telemetry_window -%}
        (select coalesce(min(window_start_date), min(local_date)) from {{ ref('int_telemetry_readings_enriched') }})
    {%- else -%}
        (select max({{ date_column }}) - {{ var('telemetry_lookback_days') if lookback is none else lookback }}
        from {{ this }})
    {%- endif -%}
{%- endmacro %}
