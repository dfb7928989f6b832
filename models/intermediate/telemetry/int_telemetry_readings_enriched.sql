{#-
    The one pass over minute telemetry that every telemetry metric shares: the
    readings of the days this run recomputes (all days on a full build), each
    with what its predecessor tells (time since, odometer delta, charging
    edge) and its local day and minute. Rebuilt every run; downstream
    incremental models recompute exactly the days it holds.

    The predecessor of a window's first reading is the previous run's state
    (the "anchor": last reading of the day before, carried in
    int_telemetry_aggregated_daily), so that a run on a few days gives the same
    numbers as a full build. See macros/incremental/resolve_telemetry_window.sql.

    On PostgreSQL the table is UNLOGGED: it is scratch that every run rebuilds
    whole, so it need not survive a crash or reach a replica, and writing its
    millions of rows skips the write-ahead log (docs/decisions.md D28). The
    incremental models that keep state stay logged. DuckDB and Spark ignore it.
-#}
{{ config(materialized='table', unlogged=true) }}

{%- set window = resolve_telemetry_window() %}
{%- set bounds = [] %}
{%- if window.start_at is not none %}{% do bounds.append('recorded_at >= ' ~ window.start_at) %}{% endif %}
{%- if window.end_at is not none %}{% do bounds.append('recorded_at < ' ~ window.end_at) %}{% endif %}
{%- set interval_minutes = var('telemetry_expected_interval_minutes') %}
-- depends_on: {{ ref('base_telematics__telemetry') }}

with

telemetry as (
    select
        telemetry_id,
        asset_id,
        recorded_at,
        ingested_at,
        lat,
        lon,
        soc_pct,
        speed_kmh,
        is_charging,
        odometer_km
    from {{ ref('stg_telematics__telemetry') }}
    {%- if bounds %}
        where {{ bounds | join(' and ') }}
    {%- endif %}
),

{%- if not window.full %}

anchors as (
    -- the last reading before the window, as the previous run left it
    select
        asset_id,
        last_signal_at as recorded_at,
        last_odometer_km as odometer_km,
        last_is_charging as is_charging
    from {{ window.daily }}
    where
        local_date = cast('{{ window.start_date }}' as date) - 1
        and last_signal_at is not null
),
{%- endif %}

stream as (
    select
        *,
        false as is_anchor
    from telemetry
    {%- if not window.full %}
        union all
        select
            null as telemetry_id,
            asset_id,
            recorded_at,
            null as ingested_at,
            null as lat,
            null as lon,
            null as soc_pct,
            null as speed_kmh,
            is_charging,
            odometer_km,
            true as is_anchor
        from anchors
    {%- endif %}
),

localised as (
    select
        *,
        {{ epoch_seconds('recorded_at') }} as recorded_epoch_s,
        {{ epoch_seconds(to_local_timestamp('recorded_at')) }} as local_epoch_s
    from stream
    -- once per reading, before the window sorts (PostgreSQL would redo it per fetch)
    {{ compute_before_sort() }}
),

sequenced as (
    select
        *,
        lag(recorded_epoch_s) over readings as previous_epoch_s,
        lag(local_epoch_s) over readings as previous_local_epoch_s,
        lag(odometer_km) over readings as previous_odometer_km,
        lag(is_charging) over readings as previous_is_charging,
        lead(local_epoch_s) over readings as next_local_epoch_s,
        lead(recorded_epoch_s) over readings as next_epoch_s,
        lead(is_charging) over readings as next_is_charging
    from localised
    window readings as (partition by asset_id order by recorded_at, telemetry_id)
),

derived as (
    select
        asset_id,
        recorded_at,
        ingested_at,
        cast('1970-01-01' as date) + cast(floor(local_epoch_s / 86400) as integer) as local_date,
        (local_epoch_s - 86400 * floor(local_epoch_s / 86400)) / 60 as local_minute_of_day,
        lat,
        lon,
        soc_pct,
        speed_kmh,
        is_charging,
        odometer_km,
        (recorded_epoch_s - previous_epoch_s) / 60 as minutes_since_previous,
        least(
            coalesce((recorded_epoch_s - previous_epoch_s) / 60, {{ interval_minutes }}),
            {{ interval_minutes }}
        ) as interval_minutes,
        coalesce(
            floor(previous_local_epoch_s / 86400) < floor(local_epoch_s / 86400), true
        ) as is_first_of_day,
        coalesce(
            floor(next_local_epoch_s / 86400) > floor(local_epoch_s / 86400), true
        ) as is_last_of_day,
        odometer_km - previous_odometer_km as odometer_change_km,
        -- the most the vehicle can have driven since the previous reading
        (recorded_epoch_s - previous_epoch_s) / 3600 * {{ var('telemetry_max_speed_kmh') }}
        + 0.1 as plausible_km,
        coalesce(
            is_charging
            and (
                not coalesce(previous_is_charging, false)
                or (recorded_epoch_s - previous_epoch_s) / 60 > {{ var('charging_session_max_gap_minutes') }}
            ),
            false
        ) as is_charging_session_start,
        -- the last charging reading of a session (so far: the latest reading has no successor yet)
        coalesce(
            is_charging
            and (
                not coalesce(next_is_charging, false)
                or (next_epoch_s - recorded_epoch_s) / 60 > {{ var('charging_session_max_gap_minutes') }}
            ),
            false
        ) as is_charging_session_end,
        is_anchor
    from sequenced
),

final as (
    select
        asset_id,
        recorded_at,
        ingested_at,
        local_date,
        local_minute_of_day,
        lat,
        lon,
        soc_pct,
        speed_kmh,
        is_charging,
        -- only the day's last odometer is needed downstream (as state)
        case when is_last_of_day then odometer_km end as day_end_odometer_km,
        minutes_since_previous,
        interval_minutes,
        is_first_of_day,
        is_last_of_day,
        case
            when odometer_change_km >= 0 and odometer_change_km <= plausible_km then odometer_change_km
            else 0
        end as odometer_delta_km,
        coalesce(odometer_change_km < 0, false) as is_odometer_drop,
        coalesce(odometer_change_km > plausible_km, false) as is_odometer_spike,
        is_charging_session_start,
        is_charging_session_end,
        {%- if window.full %}
        cast(null as date) as window_start_date,
        true as is_full_window
        {%- else %}
            cast('{{ window.start_date }}' as date) as window_start_date,
            false as is_full_window
        {%- endif %}
    from derived
    where not is_anchor
)

select * from final
