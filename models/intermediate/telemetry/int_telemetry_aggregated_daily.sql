{#-
    Carried state (last signal, last odometer...) runs across silent days and is
    the anchor the next incremental run starts from.

    Incremental: recomputes the days int_telemetry_readings_enriched holds
    (the new days, plus days that received late readings), starting from this
    table's own row of the day before.
-#}
{{ config(
    **incremental_config(['asset_id', 'local_date'], spark_day_partition='local_date', day_column='local_date')
) }}

{%- set check_window = execute and not is_incremental() and not var('telemetry_full_rebuild', false) %}
{%- set readings_relation = load_relation(ref('int_telemetry_readings_enriched')) if check_window else none %}
{%- if readings_relation is not none %}
    {%- set partial = run_query(
        'select count(*) from ' ~ readings_relation ~ ' where not is_full_window'
    ).rows[0][0] %}
    {%- if partial > 0 %}
        {{ exceptions.raise_compiler_error(
            "int_telemetry_aggregated_daily is being rebuilt from scratch, but "
            ~ "int_telemetry_readings_enriched holds only the last recompute window. "
            ~ "Rebuild both: dbt build -s int_telemetry_readings_enriched+ --full-refresh") }}
    {%- endif %}
{%- endif %}

{%- set minutes_per_day = 1440 %}
{%- set moving = var('telemetry_moving_speed_kmh') %}

with

-- read three times: scanned each time, not copied first (macro inline_cte)
telemetry_readings_enriched as {{ inline_cte() }} (
    select * from {{ ref('int_telemetry_readings_enriched') }}
),

assets_joined as (
    select * from {{ ref('int_assets_joined') }}
),

-- read twice: PostgreSQL would copy it into a CTE buffer, and a CTE scan keeps the
-- readings aggregate off parallel workers (docs/decisions.md D27)
asset_home_bases as {{ inline_cte() }} (
    select * from {{ ref('int_asset_home_bases') }}
),

poi_visits_aggregated_daily as (
    select * from {{ ref('int_poi_visits_aggregated_daily') }}
),

asset_nights_located as (
    select * from {{ ref('int_asset_nights_located') }}
),

recompute_window as (
    -- start_date is recompute_from(telemetry_window=true), taken in the same scan
    select
        coalesce(min(window_start_date), min(local_date)) as start_date,
        min(local_date) as first_reading_date,
        max(local_date) as last_reading_date
    from telemetry_readings_enriched
),

{%- if is_incremental() %}

previous_state as (
    select * from {{ this }}
    where local_date = (select start_date from recompute_window) - 1
),

known_days as (
    select
        min(local_date) as first_date,
        max(local_date) as last_date
    from {{ this }}
),

known_first_readings as (
    select
        asset_id,
        min(local_date) as first_reading_date
    from {{ this }}
    where records_received > 0
    group by asset_id
),
{%- else %}

known_days as (
    select
        cast(null as date) as first_date,
        cast(null as date) as last_date
),
{%- endif %}

bounds as (
    select
        recompute_window.start_date,
        least(known_days.first_date, recompute_window.first_reading_date) as portfolio_first_date,
        greatest(known_days.last_date, recompute_window.last_reading_date) as last_date
    from recompute_window
    cross join known_days
),

first_readings as (
    select
        asset_id,
        min(local_date) as first_reading_date
    from telemetry_readings_enriched
    group by asset_id
    {%- if is_incremental() %}
        union all
        select
            asset_id,
            first_reading_date
        from known_first_readings
    {%- endif %}
),

spine_starts as (
    -- from disbursement (not before the first day of data), or earlier if the
    -- asset reported before it; none yet for an asset disbursed after the last day
    -- (a row there would outlive the run: incremental would differ from full refresh)
    select
        assets_joined.asset_id,
        assets_joined.account_id,
        least(
            greatest(
                coalesce(assets_joined.disbursement_date, bounds.portfolio_first_date), bounds.portfolio_first_date
            ),
            coalesce(
                min(first_readings.first_reading_date),
                greatest(
                    coalesce(assets_joined.disbursement_date, bounds.portfolio_first_date),
                    bounds.portfolio_first_date
                )
            )
        ) as first_date
    from assets_joined
    cross join bounds
    left join first_readings
        on assets_joined.asset_id = first_readings.asset_id
    group by
        assets_joined.asset_id,
        assets_joined.account_id,
        assets_joined.disbursement_date,
        bounds.portfolio_first_date
),

spine as (
    select
        spine_starts.asset_id,
        spine_starts.account_id,
        {{ day_series('greatest(spine_starts.first_date, bounds.start_date)', 'bounds.last_date') }} as local_date
    from spine_starts
    cross join bounds
    where
        bounds.start_date is not null
        and bounds.last_date is not null
        and greatest(spine_starts.first_date, bounds.start_date) <= bounds.last_date
),

based_readings as (
    select
        telemetry_readings_enriched.*,
        case
            when
                asset_home_bases.base_lat is not null
                and telemetry_readings_enriched.local_date
                >= coalesce(asset_home_bases.usable_from_date, telemetry_readings_enriched.local_date)
                then {{ haversine_km(
                    'telemetry_readings_enriched.lat', 'telemetry_readings_enriched.lon',
                    'asset_home_bases.base_lat', 'asset_home_bases.base_lon'
                ) }}
        end as distance_from_base_km,
        asset_home_bases.base_radius_m
    from telemetry_readings_enriched
    left join asset_home_bases
        on telemetry_readings_enriched.asset_id = asset_home_bases.asset_id
),

day_readings as (
    select
        asset_id,
        local_date,
        count(*) as records_received,
        sum(interval_minutes) as covered_minutes,
        sum(case when speed_kmh > {{ moving }} then interval_minutes else 0 end) as active_minutes,
        sum(
            case
                when
                    speed_kmh > {{ moving }}
                    and (
                        local_minute_of_day >= {{ var('night_start_hour') * 60 }}
                        or local_minute_of_day < {{ var('night_end_hour') * 60 }}
                    )
                    then interval_minutes
                else 0
            end
        ) as night_active_minutes,
        sum(case when is_charging then interval_minutes else 0 end) as charging_minutes,
        count(case when is_charging_session_start then 1 end) as charging_sessions_started,
        sum(odometer_delta_km) as km_driven,
        count(case when is_odometer_drop then 1 end) as odometer_drops,
        count(case when is_odometer_spike then 1 end) as odometer_spikes,
        avg(soc_pct) as avg_soc_pct,
        min(soc_pct) as min_soc_pct,
        max(speed_kmh) as max_speed_kmh,
        greatest(
            max(case when is_first_of_day then local_minute_of_day else minutes_since_previous end),
            max(case when is_last_of_day then {{ minutes_per_day }} - local_minute_of_day end)
        ) as longest_gap_minutes,
        avg(distance_from_base_km) as avg_distance_from_base_km,
        max(distance_from_base_km) as max_distance_from_base_km,
        sum(case when distance_from_base_km is not null then interval_minutes end) as based_minutes,
        sum(
            case when distance_from_base_km <= base_radius_m / 1000.0 then interval_minutes else 0 end
        ) as at_base_minutes,
        max(recorded_at) as last_signal_at,
        max(case when is_last_of_day then soc_pct end) as end_soc_pct,
        max(day_end_odometer_km) as last_odometer_km,
        bool_or(is_last_of_day and is_charging) as last_is_charging,
        max(ingested_at) as max_ingested_at
    from based_readings
    group by asset_id, local_date
),

day_visits as (
    select
        asset_id,
        local_date,
        sum(case when poi_type = 'work' then visits_started else 0 end) as work_visits,
        sum(case when poi_type = 'work' then minutes_at_poi else 0 end) as work_minutes,
        sum(case when poi_type = 'service_centre' then visits_started else 0 end) as service_centre_visits,
        sum(case when poi_type = 'charging_station' then visits_started else 0 end) as charging_station_visits,
        sum(case when poi_type = 'home' then minutes_at_poi else 0 end) as home_minutes
    from poi_visits_aggregated_daily
    group by asset_id, local_date
),

assembled as (
    select
        spine.asset_id,
        spine.account_id,
        spine.local_date,
        coalesce(day_readings.records_received, 0) as records_received,
        coalesce(day_readings.covered_minutes, 0) as covered_minutes,
        100.0 * least(coalesce(day_readings.covered_minutes, 0), {{ minutes_per_day }})
        / {{ minutes_per_day }} as data_completeness_pct,
        day_readings.km_driven,
        day_readings.active_minutes,
        day_readings.night_active_minutes,
        day_readings.charging_minutes,
        day_readings.charging_sessions_started,
        day_readings.avg_soc_pct,
        day_readings.min_soc_pct,
        day_readings.end_soc_pct,
        coalesce(day_readings.longest_gap_minutes, {{ minutes_per_day }}) as longest_gap_minutes,
        day_readings.max_speed_kmh,
        day_readings.avg_distance_from_base_km,
        day_readings.max_distance_from_base_km,
        case
            when day_readings.based_minutes > 0
                then 100.0 * day_readings.at_base_minutes / day_readings.based_minutes
        end as at_base_share_pct,
        case
            when
                asset_nights_located.night_lat is not null
                and asset_home_bases.base_lat is not null
                and spine.local_date >= coalesce(asset_home_bases.usable_from_date, spine.local_date)
                then
                    {{ haversine_km(
                        'asset_nights_located.night_lat', 'asset_nights_located.night_lon', 'asset_home_bases.base_lat', 'asset_home_bases.base_lon',
                    ) }}
                    > asset_home_bases.base_radius_m / 1000.0
        end as is_night_away_from_base,
        coalesce(day_visits.work_visits, 0) as work_visits,
        coalesce(day_visits.work_minutes, 0) as work_minutes,
        coalesce(day_visits.service_centre_visits, 0) as service_centre_visits,
        coalesce(day_visits.charging_station_visits, 0) as charging_station_visits,
        coalesce(day_visits.home_minutes, 0) as home_minutes,
        coalesce(day_readings.odometer_drops, 0) as odometer_drops,
        coalesce(day_readings.odometer_spikes, 0) as odometer_spikes,
        day_readings.max_ingested_at,
        -- the day's own last reading; carried forward below
        day_readings.last_signal_at as day_last_signal_at,
        day_readings.last_odometer_km as day_last_odometer_km,
        day_readings.last_is_charging as day_last_is_charging,
        day_readings.end_soc_pct as day_last_soc_pct
    from spine
    left join day_readings
        on
            spine.asset_id = day_readings.asset_id
            and spine.local_date = day_readings.local_date
    left join day_visits
        on
            spine.asset_id = day_visits.asset_id
            and spine.local_date = day_visits.local_date
    left join asset_nights_located
        on
            spine.asset_id = asset_nights_located.asset_id
            and spine.local_date = asset_nights_located.local_date
    left join asset_home_bases
        on spine.asset_id = asset_home_bases.asset_id
),

with_previous as (
    select
        asset_id,
        local_date,
        false as is_previous,
        day_last_signal_at,
        day_last_odometer_km,
        day_last_is_charging,
        day_last_soc_pct
    from assembled
    {%- if is_incremental() %}
        union all
        select
            asset_id,
            local_date,
            true as is_previous,
            last_signal_at as day_last_signal_at,
            last_odometer_km as day_last_odometer_km,
            last_is_charging as day_last_is_charging,
            last_soc_pct as day_last_soc_pct
        from previous_state
    {%- endif %}
),

grouped as (
    -- days since (and including) the last day with a reading form one group
    select
        *,
        count(day_last_signal_at) over (
            partition by asset_id order by local_date rows between unbounded preceding and current row
        ) as signal_group
    from with_previous
),

carried as (
    select
        asset_id,
        local_date,
        is_previous,
        max(day_last_signal_at) over same_group as last_signal_at,
        max(day_last_odometer_km) over same_group as last_odometer_km,
        bool_or(day_last_is_charging) over same_group as last_is_charging,
        max(day_last_soc_pct) over same_group as last_soc_pct
    from grouped
    window same_group as (partition by asset_id, signal_group)
),

final as (
    select
        assembled.asset_id,
        assembled.account_id,
        assembled.local_date,
        assembled.records_received,
        assembled.covered_minutes,
        assembled.data_completeness_pct,
        assembled.records_received > 0 as has_data,
        assembled.km_driven,
        assembled.active_minutes,
        assembled.night_active_minutes,
        assembled.charging_minutes,
        assembled.charging_sessions_started,
        assembled.avg_soc_pct,
        assembled.min_soc_pct,
        assembled.end_soc_pct,
        assembled.longest_gap_minutes,
        (
            {{ epoch_seconds(local_midnight_utc('assembled.local_date + 1')) }}
            - {{ epoch_seconds('carried.last_signal_at') }}
        ) / 3600 as hours_since_last_signal,
        assembled.max_speed_kmh,
        assembled.avg_distance_from_base_km,
        assembled.max_distance_from_base_km,
        assembled.at_base_share_pct,
        assembled.is_night_away_from_base,
        assembled.work_visits,
        assembled.work_minutes,
        assembled.service_centre_visits,
        assembled.charging_station_visits,
        assembled.home_minutes,
        assembled.odometer_drops,
        assembled.odometer_spikes,
        assembled.max_ingested_at,
        carried.last_signal_at,
        carried.last_odometer_km,
        carried.last_is_charging,
        carried.last_soc_pct
    from assembled
    inner join carried
        on
            assembled.asset_id = carried.asset_id
            and assembled.local_date = carried.local_date
            and not carried.is_previous
)

select * from final
