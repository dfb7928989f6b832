with

telemetry_checked as (
    select * from {{ ref('base_telematics__telemetry_checked') }}
),

usable as (
    select
        telemetry_id,
        asset_id,
        device_id,
        recorded_at,
        lat,
        lon,
        soc_pct,
        odometer_km,
        speed_kmh,
        is_charging,
        ingested_at,
        load_batch_id
    from telemetry_checked
    where rejection_reason is null
)

select * from usable
