{#-
    Which telemetry days this run recomputes (used by int_telemetry_readings_enriched,
    at execution time only). Returns a dict:

      full        true: a build from scratch (first run, --full-refresh, var
                  telemetry_full_rebuild, or int_telemetry_aggregated_daily
                  missing/empty): no state to continue from
      start_date  first local day to recompute ('YYYY-MM-DD'); none = from the first reading
      start_at    the UTC instant that day starts (a timestamptz SQL literal), or none
      end_at      the UTC instant the window ends (exclusive), or none (no end)
      daily       the relation of int_telemetry_aggregated_daily (the state), when not full

    The state is the daily table as the previous run left it: its latest day L
    and the highest ingested_at it has seen W. Readings ingested after W whose
    recorded_at is at most `telemetry_lookback_days` before L are late data:
    the window starts on the earliest local day they touch, else on L + 1.
    With var `telemetry_max_window_days` = N, a run takes on at most N days
    (a from-scratch build: the first N days of data); the next runs continue
    from there, so a long history can be backfilled in bounded slices.
    Bounds are rendered as literals, so the engine can skip storage on
    recorded_at (DuckDB does not push a subquery bound through the staging
    window; a literal it does).
-#}
{% macro resolve_telemetry_window() -%}
    {%- set window = {'full': true, 'start_date': none, 'start_at': none, 'end_at': none, 'daily': none} -%}
    {%- if not execute -%}
        {{ return(window) }}
    {%- endif -%}
    {%- set max_days = var('telemetry_max_window_days', none) -%}
    {%- set state = [none, none] -%}
    {#- Spark: the models whose rows are events (charging sessions, POI visits, nights)
        are tables there (no DELETE on Parquet; incremental_config), so every run reads
        all readings: a window would leave those tables with the window's rows only. -#}
    {%- if not (flags.FULL_REFRESH or var('telemetry_full_rebuild', false) or adapter.type() == 'spark') -%}
        {%- set daily_node = graph.nodes.values()
            | selectattr('resource_type', 'equalto', 'model')
            | selectattr('name', 'equalto', 'int_telemetry_aggregated_daily') | first -%}
        {%- set daily = adapter.get_relation(
            database=daily_node.database, schema=daily_node.schema, identifier=daily_node.alias)
            if daily_node is not none else none -%}
        {%- if daily is not none -%}
            {%- set state = run_query(
                'select max(local_date), max(max_ingested_at) from ' ~ daily).rows[0] -%}
            {%- do window.update({'daily': daily}) -%}
        {%- endif -%}
    {%- endif -%}

    {%- if state[0] is none or state[1] is none -%}
        {#- from scratch: everything, or the first N days -#}
        {%- do window.update({'daily': none}) -%}
        {%- if max_days is none -%}
            {{ return(window) }}
        {%- endif -%}
        {%- set probe -%}
            select cast({{ to_local_timestamp('min(recorded_at)') }} as date)
            from {{ ref('base_telematics__telemetry') }}
        {%- endset -%}
    {%- else -%}
        {%- do window.update({'full': false}) -%}
        {%- set latest = "cast('" ~ state[0] ~ "' as date)" -%}
        {%- set watermark = "cast('" ~ state[1].isoformat() ~ "' as " ~ type_timestamptz() ~ ")" -%}
        {%- set lookback_start = "(" ~ latest ~ " - " ~ var('telemetry_lookback_days') ~ ")" -%}
        {%- set probe -%}
            with late as (
                select min(recorded_at) as first_new_at
                from {{ ref('base_telematics__telemetry') }}
                where
                    recorded_at >= {{ local_midnight_utc(lookback_start) }}
                    and ingested_at > {{ watermark }}
            )
            select
                least(
                    {{ latest }} + 1,
                    coalesce(cast({{ to_local_timestamp('first_new_at') }} as date), {{ latest }} + 1)
                ) as start_date
            from late
        {%- endset -%}
    {%- endif -%}

    {%- set start_date = run_query(probe).rows[0][0] -%}
    {%- if start_date is none -%}
        {{ return(window) }}
    {%- endif -%}
    {%- set start = "cast('" ~ start_date ~ "' as date)" -%}
    {%- set bounds = run_query(
        'select ' ~ local_midnight_utc(start) ~ ', '
        ~ local_midnight_utc(start ~ ' + ' ~ (max_days if max_days is not none else 0))
    ).rows[0] -%}
    {%- do window.update({
        'start_date': start_date | string,
        'start_at': "cast('" ~ bounds[0].isoformat() ~ "' as " ~ type_timestamptz() ~ ")",
        'end_at': "cast('" ~ bounds[1].isoformat() ~ "' as " ~ type_timestamptz() ~ ")" if max_days is not none else none,
    }) -%}
    {{ return(window) }}
{%- endmacro %}
