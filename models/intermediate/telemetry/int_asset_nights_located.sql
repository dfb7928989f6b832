{#-
    Input of the home-base detection and of the "night away from base" signal.
-#}
{{ config(
    **incremental_config(['asset_id', 'local_date'], day_column='local_date')
) }}

{%- set cell_deg = 0.005 %}

with

telemetry_readings_enriched as (
    select * from {{ ref('int_telemetry_readings_enriched') }}
),

night_parked as (
    select
        asset_id,
        local_date,
        lat,
        lon,
        interval_minutes,
        cast(floor(lat / {{ cell_deg }}) as {{ dbt.type_bigint() }}) as cell_lat,
        cast(floor(lon / {{ cell_deg }}) as {{ dbt.type_bigint() }}) as cell_lon
    from telemetry_readings_enriched
    where
        lat is not null
        and lon is not null
        and coalesce(speed_kmh, 0) <= {{ var('telemetry_moving_speed_kmh') }}
        and (
            local_minute_of_day >= {{ var('night_start_hour') * 60 }}
            or local_minute_of_day < {{ var('night_end_hour') * 60 }}
        )
),

cells as (
    select
        asset_id,
        local_date,
        cell_lat,
        cell_lon,
        sum(interval_minutes) as parked_minutes,
        avg(lat) as lat,
        avg(lon) as lon
    from night_parked
    group by asset_id, local_date, cell_lat, cell_lon
),

ranked as (
    select
        *,
        sum(parked_minutes) over (partition by asset_id, local_date) as night_parked_minutes,
        row_number() over (
            partition by asset_id, local_date
            order by parked_minutes desc, cell_lat asc, cell_lon asc
        ) as cell_rank
    from cells
),

final as (
    select
        asset_id,
        local_date,
        night_parked_minutes,
        cell_lat as night_cell_lat,
        cell_lon as night_cell_lon,
        parked_minutes as night_cell_minutes,
        lat as night_lat,
        lon as night_lon
    from ranked
    where cell_rank = 1
)

select * from final
