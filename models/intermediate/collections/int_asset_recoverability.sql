{#-
    One row per asset: what a repossession agent would know about it at the
    end of its latest day, and its recoverability factor (see the doc block
    collection_recoverability in models/marts/collections/_collections__docs.md).
-#}
with

telemetry_aggregated_daily as (
    select * from {{ ref('int_telemetry_aggregated_daily') }}
),

asset_nights_located as (
    select * from {{ ref('int_asset_nights_located') }}
),

asset_home_bases as (
    select * from {{ ref('int_asset_home_bases') }}
),

collection_priority_parameters as (
    select * from {{ ref('int_collection_priority_parameters') }}
),

latest_day as (
    select
        asset_id,
        local_date,
        last_signal_at,
        last_soc_pct,
        hours_since_last_signal,
        row_number() over (partition by asset_id order by local_date desc) as recency
    from telemetry_aggregated_daily
),

latest_night as (
    select
        asset_id,
        local_date as located_on,
        night_lat,
        night_lon,
        row_number() over (partition by asset_id order by local_date desc) as recency
    from asset_nights_located
),

assessed as (
    select
        latest_day.asset_id,
        latest_day.local_date as as_of_date,
        latest_day.last_signal_at,
        latest_day.last_soc_pct,
        latest_day.hours_since_last_signal,
        latest_night.located_on,
        latest_night.night_lat as located_lat,
        latest_night.night_lon as located_lon,
        asset_home_bases.base_source,
        asset_home_bases.base_lat,
        asset_home_bases.base_lon,
        coalesce(
            latest_day.hours_since_last_signal <= collection_priority_parameters.device_alive_hours, false
        ) as is_device_alive,
        coalesce(
            latest_night.located_on
            > latest_day.local_date - cast(collection_priority_parameters.located_within_days as integer),
            false
        ) as is_located,
        coalesce(
            1000 * {{ haversine_km('latest_night.night_lat', 'latest_night.night_lon',
                'asset_home_bases.base_lat', 'asset_home_bases.base_lon') }} <= asset_home_bases.base_radius_m,
            false
        ) as is_last_night_at_base,
        collection_priority_parameters.device_alive_multiplier,
        collection_priority_parameters.located_multiplier,
        collection_priority_parameters.at_base_multiplier
    from latest_day
    cross join collection_priority_parameters
    left join latest_night
        on
            latest_day.asset_id = latest_night.asset_id
            and latest_night.recency = 1
    left join asset_home_bases
        on latest_day.asset_id = asset_home_bases.asset_id
    where latest_day.recency = 1
),

final as (
    select
        asset_id,
        as_of_date,
        last_signal_at,
        last_soc_pct,
        hours_since_last_signal,
        located_on,
        located_lat,
        located_lon,
        base_source,
        base_lat,
        base_lon,
        is_device_alive,
        is_located,
        is_last_night_at_base,
        -- at base counts only for a located vehicle: an old night at base says little
        is_located and is_last_night_at_base as is_located_at_base,
        (case when is_device_alive then device_alive_multiplier else 1.0 end)
        * (case when is_located then located_multiplier else 1.0 end)
        * (case when is_located and is_last_night_at_base then at_base_multiplier else 1.0 end)
            as recoverability_factor
    from assessed
)

select * from final
