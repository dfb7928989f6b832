{#-
    Every raw reading once, with the asset it belongs to and, if it cannot be
    used, why (rejection_reason). stg_telematics__telemetry keeps the usable
    rows, stg_telematics__telemetry_rejections the others: together they are
    exactly the raw rows.
-#}
with

telemetry as (
    select * from {{ ref('base_telematics__telemetry') }}
),

entity_identifiers as (
    select * from {{ ref('stg_fleet__entity_identifiers') }}
),

device_assignments as (
    select
        identifier_value as device_id,
        entity_id as asset_id,
        valid_from_at,
        valid_to_at
    from entity_identifiers
    where
        entity_type = 'asset'
        and identifier_type = 'device_id'
),

numbered_copies as (
    -- a duplicate is a second reading of the same device at the same instant;
    -- the earliest ingested copy is kept, so the choice never depends on load order
    select
        *,
        row_number() over (
            partition by device_id, reported_asset_id, recorded_at
            order by ingested_at, telemetry_id
        ) as copy_number
    from telemetry
),

resolved as (
    select
        numbered_copies.*,
        coalesce(numbered_copies.reported_asset_id, device_assignments.asset_id) as asset_id
    from numbered_copies
    left join device_assignments
        on
            numbered_copies.device_id = device_assignments.device_id
            and numbered_copies.recorded_at >= device_assignments.valid_from_at
            and (
                device_assignments.valid_to_at is null
                or numbered_copies.recorded_at < device_assignments.valid_to_at
            )
),

checked as (
    select
        *,
        case
            when recorded_at is null then 'missing_timestamp'
            when
                recorded_at > {{ dbt.dateadd('minute', var('telemetry_max_clock_skew_minutes'), 'ingested_at') }}
                then 'future_timestamp'
            when copy_number > 1 then 'duplicate'
            when asset_id is null then 'unknown_device'
            when soc_pct < 0 or soc_pct > 100 then 'soc_out_of_range'
            when speed_kmh < 0 or speed_kmh > {{ var('telemetry_max_speed_kmh') }} then 'speed_out_of_range'
            when lat < -90 or lat > 90 or lon < -180 or lon > 180 then 'coordinates_out_of_range'
        end as rejection_reason
    from resolved
)

select * from checked
