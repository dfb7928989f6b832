{#-
    One home base per asset: its `base` POI when the asset (or its borrower)
    has one, else detected from the data: the grid cell where it spent most of
    its first N qualifying nights (parked at night at least M minutes; vars
    home_base_detection_nights, home_base_min_night_minutes), if at least three
    of them. A detected base only counts from `usable_from_date`, the day after
    the N-th night plus the telemetry lookback: by then those nights can no
    longer change, so an incremental run and a full refresh agree on it.
-#}
with

assets_joined as (
    select * from {{ ref('int_assets_joined') }}
),

asset_pois_joined as (
    select * from {{ ref('int_asset_pois_joined') }}
),

asset_nights_located as (
    select * from {{ ref('int_asset_nights_located') }}
),

base_pois as (
    select
        asset_id,
        poi_id,
        lat,
        lon,
        radius_m,
        row_number() over (
            partition by asset_id
            order by case when poi_owner_type = 'asset' then 0 else 1 end, created_at, poi_id
        ) as preference
    from asset_pois_joined
    where poi_type = 'base'
),

qualifying_nights as (
    select
        asset_id,
        local_date,
        night_cell_lat,
        night_cell_lon,
        night_lat,
        night_lon,
        row_number() over (partition by asset_id order by local_date) as night_number
    from asset_nights_located
    where night_cell_minutes >= {{ var('home_base_min_night_minutes') }}
),

first_nights as (
    select *
    from qualifying_nights
    where night_number <= {{ var('home_base_detection_nights') }}
),

established as (
    select
        asset_id,
        max(local_date) as established_date
    from first_nights
    group by asset_id
    having count(*) = {{ var('home_base_detection_nights') }}
),

cell_votes as (
    select
        asset_id,
        night_cell_lat,
        night_cell_lon,
        count(*) as nights,
        min(local_date) as first_night_date,
        avg(night_lat) as lat,
        avg(night_lon) as lon
    from first_nights
    group by asset_id, night_cell_lat, night_cell_lon
),

ranked_cells as (
    select
        *,
        row_number() over (
            partition by asset_id
            order by nights desc, first_night_date asc, night_cell_lat asc, night_cell_lon asc
        ) as cell_rank
    from cell_votes
),

detected as (
    select
        ranked_cells.asset_id,
        ranked_cells.lat,
        ranked_cells.lon,
        ranked_cells.nights,
        established.established_date
    from ranked_cells
    inner join established
        on ranked_cells.asset_id = established.asset_id
    where
        ranked_cells.cell_rank = 1
        and ranked_cells.nights >= 3
),

final as (
    select
        assets_joined.asset_id,
        case
            when base_pois.poi_id is not null then 'poi'
            when detected.asset_id is not null then 'detected'
        end as base_source,
        base_pois.poi_id as base_poi_id,
        coalesce(base_pois.lat, detected.lat) as base_lat,
        coalesce(base_pois.lon, detected.lon) as base_lon,
        coalesce(base_pois.radius_m, {{ var('home_base_radius_m') }}) as base_radius_m,
        case when base_pois.poi_id is null then detected.nights end as detected_nights,
        case when base_pois.poi_id is null then detected.established_date end as established_date,
        case
            when base_pois.poi_id is null
                then detected.established_date + {{ var('telemetry_lookback_days') }} + 1
        end as usable_from_date
    from assets_joined
    left join base_pois
        on
            assets_joined.asset_id = base_pois.asset_id
            and base_pois.preference = 1
    left join detected
        on assets_joined.asset_id = detected.asset_id
)

select * from final
