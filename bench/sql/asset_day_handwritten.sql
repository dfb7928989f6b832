-- The per-asset-day telemetry aggregates of a range of local days (one new day,
-- or a whole backfill), written by hand as a single query: what
-- int_telemetry_aggregated_daily computes for those days, without dbt.
-- bench/bench_metrics.py and bench/bench_dag.py time it against the dbt models on
-- the same data and check that both give the same numbers.
--
-- Same inputs as the dbt models: raw telemetry cleaned by the staging rules
-- (duplicates, unknown devices, out-of-range values, clocks in the future;
-- device -> asset by validity window), and the state the day before the range
-- left (last reading per asset, the last POI sightings), home bases. Within the
-- range each day carries the previous day's state forward. Portable SQL (DuckDB
-- and PostgreSQL). Tokens replaced by the bench:
--   $FIRST_DAY / $LAST_DAY (local dates), $DAYS (days in the range),
--   $START / $END (UTC instants of the first day's and the day after the last's midnights), $TZ,
--   $MAX_SPEED, $MOVING, $NIGHT_START, $NIGHT_END, $SESSION_GAP, $VISIT_GAP, $LOOKBACK,
--   $INTERVAL (expected minutes between readings: var telemetry_expected_interval_minutes)
with

identifiers as (
    select
        identifier_value as device_id,
        entity_id as asset_id,
        cast(valid_from as timestamp) at time zone '$TZ' as valid_from_at,
        cast(valid_to as timestamp) at time zone '$TZ' as valid_to_at
    from raw.entity_identifiers
    where entity_type = 'asset' and identifier_type = 'device_id'
),

day_rows as (
    select id, device_id, asset_id as reported_asset_id, ts, lat, lon, soc, odometer, speed, is_charging, ingested_at
    from raw.raw_telemetry
    where ts >= $START and ts < $END
    union all
    select id, device_id, asset_id, ts, lat, lon, soc, odometer, speed, is_charging, ingested_at
    from raw.raw_telemetry_archive
    where ts >= $START and ts < $END
),

numbered as (
    select
        *,
        row_number() over (
            partition by device_id, reported_asset_id, ts order by ingested_at, id
        ) as copy_number
    from day_rows
),

clean as (
    select
        numbered.id,
        coalesce(numbered.reported_asset_id, identifiers.asset_id) as asset_id,
        numbered.ts,
        numbered.ingested_at,
        cast(numbered.lat as double precision) as lat,
        cast(numbered.lon as double precision) as lon,
        cast(numbered.soc as double precision) as soc,
        cast(numbered.odometer as double precision) as odometer,
        cast(numbered.speed as double precision) as speed,
        numbered.is_charging
    from numbered
    left join identifiers
        on
            numbered.device_id = identifiers.device_id
            and numbered.ts >= identifiers.valid_from_at
            and (identifiers.valid_to_at is null or numbered.ts < identifiers.valid_to_at)
    where
        numbered.copy_number = 1
        and numbered.ts <= numbered.ingested_at + interval '10 minutes'
        and coalesce(numbered.reported_asset_id, identifiers.asset_id) is not null
        and not coalesce(numbered.soc < 0 or numbered.soc > 100, false)
        and not coalesce(numbered.speed < 0 or numbered.speed > $MAX_SPEED, false)
        and not coalesce(numbered.lat < -90 or numbered.lat > 90 or numbered.lon < -180 or numbered.lon > 180, false)
),

previous_day as (
    select *
    from intermediate.int_telemetry_aggregated_daily
    where local_date = cast('$FIRST_DAY' as date) - 1
),

stream as (
    select id, asset_id, ts, ingested_at, lat, lon, soc, odometer, speed, is_charging, false as is_anchor
    from clean
    union all
    select
        null, asset_id, last_signal_at, null, null, null, null, last_odometer_km, null, last_is_charging, true
    from previous_day
    where last_signal_at is not null
),

sequenced as (
    select
        *,
        cast(extract(epoch from ts) as double precision) as epoch_s,
        cast(extract(epoch from (ts at time zone '$TZ')) as double precision) as local_epoch_s,
        lag(cast(extract(epoch from ts) as double precision)) over w as previous_epoch_s,
        lag(cast(extract(epoch from (ts at time zone '$TZ')) as double precision)) over w as previous_local_epoch_s,
        lag(odometer) over w as previous_odometer,
        lag(is_charging) over w as previous_is_charging,
        lead(cast(extract(epoch from (ts at time zone '$TZ')) as double precision)) over w as next_local_epoch_s
    from stream
    window w as (partition by asset_id order by ts, id)
),

located as (
    select *, cast(ts at time zone '$TZ' as date) as local_date
    from sequenced
    where not is_anchor
),

readings as (
    select
        sequenced.asset_id,
        sequenced.local_date,
        sequenced.ts,
        sequenced.ingested_at,
        sequenced.lat,
        sequenced.lon,
        sequenced.soc,
        sequenced.speed,
        sequenced.is_charging,
        sequenced.odometer,
        (sequenced.local_epoch_s - 86400 * floor(sequenced.local_epoch_s / 86400)) / 60 as minute_of_day,
        (sequenced.epoch_s - sequenced.previous_epoch_s) / 60 as since_previous,
        least(coalesce((sequenced.epoch_s - sequenced.previous_epoch_s) / 60, $INTERVAL), $INTERVAL)
            as interval_minutes,
        coalesce(floor(sequenced.previous_local_epoch_s / 86400) < floor(sequenced.local_epoch_s / 86400), true)
            as is_first,
        coalesce(floor(sequenced.next_local_epoch_s / 86400) > floor(sequenced.local_epoch_s / 86400), true)
            as is_last,
        sequenced.odometer - sequenced.previous_odometer as odometer_change,
        (sequenced.epoch_s - sequenced.previous_epoch_s) / 3600 * $MAX_SPEED + 0.1 as plausible_km,
        coalesce(
            sequenced.is_charging and (
                not coalesce(sequenced.previous_is_charging, false)
                or (sequenced.epoch_s - sequenced.previous_epoch_s) / 60 > $SESSION_GAP
            ),
            false
        ) as is_session_start,
        case
            when bases.base_lat is not null
                and sequenced.local_date >= coalesce(bases.usable_from_date, sequenced.local_date)
                then 2 * 6371.0088 * asin(least(1.0, sqrt(
                    power(sin(radians(bases.base_lat - sequenced.lat) / 2), 2)
                    + cos(radians(sequenced.lat)) * cos(radians(bases.base_lat))
                    * power(sin(radians(bases.base_lon - sequenced.lon) / 2), 2)
                )))
        end as distance_km,
        bases.base_radius_m
    from located as sequenced
    left join intermediate.int_asset_home_bases as bases
        on sequenced.asset_id = bases.asset_id
),

per_asset as (
    select
        asset_id,
        local_date,
        count(*) as records_received,
        sum(interval_minutes) as covered_minutes,
        sum(case when speed > $MOVING then interval_minutes else 0 end) as active_minutes,
        sum(case when speed > $MOVING and (minute_of_day >= $NIGHT_START * 60 or minute_of_day < $NIGHT_END * 60)
            then interval_minutes else 0 end) as night_active_minutes,
        sum(case when is_charging then interval_minutes else 0 end) as charging_minutes,
        count(case when is_session_start then 1 end) as charging_sessions_started,
        sum(case when odometer_change >= 0 and odometer_change <= plausible_km then odometer_change else 0 end)
            as km_driven,
        count(case when odometer_change < 0 then 1 end) as odometer_drops,
        count(case when odometer_change > plausible_km then 1 end) as odometer_spikes,
        avg(soc) as avg_soc_pct,
        min(soc) as min_soc_pct,
        max(speed) as max_speed_kmh,
        greatest(
            max(case when is_first then minute_of_day else since_previous end),
            max(case when is_last then 1440 - minute_of_day end)
        ) as longest_gap_minutes,
        avg(distance_km) as avg_distance_from_base_km,
        max(distance_km) as max_distance_from_base_km,
        sum(case when distance_km is not null then interval_minutes end) as based_minutes,
        sum(case when distance_km <= base_radius_m / 1000.0 then interval_minutes else 0 end) as at_base_minutes,
        max(ts) as last_signal_at,
        max(case when is_last then soc end) as end_soc_pct,
        max(case when is_last then odometer end) as last_odometer_km,
        bool_or(is_last and is_charging) as last_is_charging,
        max(ingested_at) as max_ingested_at
    from readings
    group by asset_id, local_date
),

-- POI visits: a reading within a POI's radius, matched through a ~1 km grid
assets as (
    select assets.id as asset_id, assets.account_id, accounts.customer_id, models.oem_id, accounts.disbursement_date
    from raw.assets as assets
    left join raw.accounts as accounts on assets.account_id = accounts.id
    left join raw.asset_models as models on assets.asset_model_id = models.id
),

asset_pois as (
    select assets.asset_id, pois.id as poi_id, pois.poi_type, cast(pois.lat as double precision) as lat,
        cast(pois.lon as double precision) as lon, coalesce(pois.radius_m, 200) as radius_m
    from assets
    inner join raw.pois as pois
        on (pois.owner_type = 'asset' and pois.owner_id = assets.asset_id)
    union all
    select assets.asset_id, pois.id, pois.poi_type, pois.lat, pois.lon, coalesce(pois.radius_m, 200)
    from assets
    inner join raw.pois as pois
        on (pois.owner_type = 'customer' and pois.owner_id = assets.customer_id)
    union all
    select assets.asset_id, pois.id, pois.poi_type, pois.lat, pois.lon, coalesce(pois.radius_m, 200)
    from assets
    inner join raw.pois as pois
        on (pois.owner_type = 'oem' and pois.owner_id = assets.oem_id)
),

poi_cells as (
    select asset_pois.*,
        cast(floor(asset_pois.lat / 0.01) as bigint) + dy.step as cell_lat,
        cast(floor(asset_pois.lon / 0.01) as bigint) + dx.step as cell_lon
    from asset_pois
    cross join (select -1 as step union all select 0 union all select 1) as dy
    cross join (select -1 as step union all select 0 union all select 1) as dx
),

at_poi as (
    select
        readings.asset_id, readings.local_date, poi_cells.poi_id, poi_cells.poi_type, readings.ts,
        readings.interval_minutes, false as is_seed
    from readings
    inner join poi_cells
        on readings.asset_id = poi_cells.asset_id
        and cast(floor(readings.lat / 0.01) as bigint) = poi_cells.cell_lat
        and cast(floor(readings.lon / 0.01) as bigint) = poi_cells.cell_lon
    where 2 * 6371.0088 * asin(least(1.0, sqrt(
        power(sin(radians(poi_cells.lat - readings.lat) / 2), 2)
        + cos(radians(readings.lat)) * cos(radians(poi_cells.lat))
        * power(sin(radians(poi_cells.lon - readings.lon) / 2), 2)
    ))) <= poi_cells.radius_m / 1000.0
    union all
    select asset_id, local_date, poi_id, poi_type, max(last_seen_at), null, true
    from intermediate.int_poi_visits_aggregated_daily
    where local_date = cast('$FIRST_DAY' as date) - 1
    group by asset_id, local_date, poi_id, poi_type
),

visit_starts as (
    select asset_id, local_date, poi_type,
        coalesce(extract(epoch from ts) - extract(epoch from previous_seen_at) > $VISIT_GAP * 60, true) as is_start,
        is_seed
    from (
        select *, lag(ts) over (partition by asset_id, poi_id order by ts) as previous_seen_at
        from at_poi
        where poi_type in ('work', 'service_centre', 'charging_station')
    ) as ordered
),

per_asset_visits as (
    select asset_id, local_date,
        count(case when poi_type = 'work' and is_start then 1 end) as work_visits,
        count(case when poi_type = 'service_centre' and is_start then 1 end) as service_centre_visits,
        count(case when poi_type = 'charging_station' and is_start then 1 end) as charging_station_visits
    from visit_starts
    where not is_seed
    group by asset_id, local_date
),

per_asset_dwell as (
    select asset_id, local_date,
        sum(case when poi_type = 'work' then interval_minutes else 0 end) as work_minutes,
        sum(case when poi_type = 'home' then interval_minutes else 0 end) as home_minutes
    from at_poi
    where not is_seed
    group by asset_id, local_date
),

-- where the night was spent
night_cells as (
    select asset_id, local_date,
        cast(floor(lat / 0.005) as bigint) as cell_lat, cast(floor(lon / 0.005) as bigint) as cell_lon,
        sum(interval_minutes) as minutes, avg(lat) as lat, avg(lon) as lon
    from readings
    where lat is not null and lon is not null and coalesce(speed, 0) <= $MOVING
        and (minute_of_day >= $NIGHT_START * 60 or minute_of_day < $NIGHT_END * 60)
    group by asset_id, local_date, cast(floor(lat / 0.005) as bigint), cast(floor(lon / 0.005) as bigint)
),

night_places as (
    select * from (
        select *, row_number() over (
            partition by asset_id, local_date order by minutes desc, cell_lat, cell_lon
        ) as cell_rank
        from night_cells
    ) as ranked
    where cell_rank = 1
),

-- which assets have a row on a day: the daily rows start at disbursement (not
-- before the first day of data) or at the first reading, and go on every day
portfolio as (
    select min(local_date) as first_date from intermediate.int_telemetry_aggregated_daily
),

days as (
    select cast('$FIRST_DAY' as date) + cast(n as integer) as local_date
    from generate_series(0, $DAYS - 1) as g (n)
),

first_readings as (
    select asset_id, min(local_date) as first_date
    from per_asset
    group by asset_id
),

in_spine as (
    select assets.asset_id, assets.account_id, days.local_date
    from assets
    cross join portfolio
    cross join days
    left join first_readings on assets.asset_id = first_readings.asset_id
    where greatest(coalesce(assets.disbursement_date, portfolio.first_date), portfolio.first_date) <= days.local_date
        or first_readings.first_date <= days.local_date
        or assets.asset_id in (select asset_id from previous_day)
),

-- the latest day with readings up to each day: its last reading is the day's state
carried as (
    select
        in_spine.*,
        max(per_asset.local_date) over (
            partition by in_spine.asset_id order by in_spine.local_date rows between unbounded preceding and current row
        ) as state_date
    from in_spine
    left join per_asset on in_spine.asset_id = per_asset.asset_id and in_spine.local_date = per_asset.local_date
)

select
    in_spine.asset_id,
    in_spine.account_id,
    in_spine.local_date,
    coalesce(per_asset.records_received, 0) as records_received,
    coalesce(per_asset.covered_minutes, 0) as covered_minutes,
    100.0 * least(coalesce(per_asset.covered_minutes, 0), 1440) / 1440 as data_completeness_pct,
    coalesce(per_asset.records_received, 0) > 0 as has_data,
    per_asset.km_driven,
    per_asset.active_minutes,
    per_asset.night_active_minutes,
    per_asset.charging_minutes,
    per_asset.charging_sessions_started,
    per_asset.avg_soc_pct,
    per_asset.min_soc_pct,
    per_asset.end_soc_pct,
    coalesce(per_asset.longest_gap_minutes, 1440) as longest_gap_minutes,
    (
        cast(extract(epoch from (cast(in_spine.local_date + 1 as timestamp) at time zone '$TZ')) as double precision)
        - cast(extract(epoch from coalesce(state.last_signal_at, previous_day.last_signal_at)) as double precision)
    ) / 3600 as hours_since_last_signal,
    per_asset.max_speed_kmh,
    per_asset.avg_distance_from_base_km,
    per_asset.max_distance_from_base_km,
    case when per_asset.based_minutes > 0 then 100.0 * per_asset.at_base_minutes / per_asset.based_minutes end
        as at_base_share_pct,
    case
        when night_places.lat is not null and bases.base_lat is not null
            and in_spine.local_date >= coalesce(bases.usable_from_date, in_spine.local_date)
            then 2 * 6371.0088 * asin(least(1.0, sqrt(
                power(sin(radians(bases.base_lat - night_places.lat) / 2), 2)
                + cos(radians(night_places.lat)) * cos(radians(bases.base_lat))
                * power(sin(radians(bases.base_lon - night_places.lon) / 2), 2)
            ))) > bases.base_radius_m / 1000.0
    end as is_night_away_from_base,
    coalesce(per_asset_visits.work_visits, 0) as work_visits,
    coalesce(per_asset_dwell.work_minutes, 0) as work_minutes,
    coalesce(per_asset_visits.service_centre_visits, 0) as service_centre_visits,
    coalesce(per_asset_visits.charging_station_visits, 0) as charging_station_visits,
    coalesce(per_asset_dwell.home_minutes, 0) as home_minutes,
    coalesce(per_asset.odometer_drops, 0) as odometer_drops,
    coalesce(per_asset.odometer_spikes, 0) as odometer_spikes,
    per_asset.max_ingested_at,
    coalesce(state.last_signal_at, previous_day.last_signal_at) as last_signal_at,
    case when state.asset_id is not null then state.last_odometer_km else previous_day.last_odometer_km end
        as last_odometer_km,
    case when state.asset_id is not null then state.last_is_charging else previous_day.last_is_charging end
        as last_is_charging,
    case when state.asset_id is not null then state.end_soc_pct else previous_day.last_soc_pct end
        as last_soc_pct
from carried as in_spine
left join per_asset on in_spine.asset_id = per_asset.asset_id and in_spine.local_date = per_asset.local_date
left join per_asset as state on in_spine.asset_id = state.asset_id and in_spine.state_date = state.local_date
left join previous_day on in_spine.asset_id = previous_day.asset_id
left join per_asset_visits
    on in_spine.asset_id = per_asset_visits.asset_id and in_spine.local_date = per_asset_visits.local_date
left join per_asset_dwell
    on in_spine.asset_id = per_asset_dwell.asset_id and in_spine.local_date = per_asset_dwell.local_date
left join night_places on in_spine.asset_id = night_places.asset_id and in_spine.local_date = night_places.local_date
left join intermediate.int_asset_home_bases as bases on in_spine.asset_id = bases.asset_id
