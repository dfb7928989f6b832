{#-
    Pre-hook of the incremental telemetry models whose rows are events (charging
    sessions, POI visits): on an incremental run, delete the rows on or after
    the first day this run recomputes (the window of
    int_telemetry_readings_enriched), so that an event that late data merged
    away or moved does not linger. delete+insert on unique_key then only has
    to replace the rows that started before the window and continue into it.

    `column` is a local date (compared with the window's first day) or, with
    `is_instant=true`, a timestamptz (compared with the instant it starts).
-#}
{% macro delete_recomputed_telemetry_rows(column, is_instant=false) -%}
    {%- if is_incremental() -%}
        {%- set first_day = recompute_from(telemetry_window=true) -%}
        delete from {{ this }}
        where {{ column }} >= {{ local_midnight_utc(first_day) if is_instant else first_day }}
    {%- endif -%}
{%- endmacro %}
