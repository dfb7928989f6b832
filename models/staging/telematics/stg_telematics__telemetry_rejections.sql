with

telemetry_checked as (
    select * from {{ ref('base_telematics__telemetry_checked') }}
),

rejected as (
    select
        telemetry_id,
        device_id,
        reported_asset_id,
        asset_id,
        recorded_at,
        ingested_at,
        source_table,
        rejection_reason
    from telemetry_checked
    where rejection_reason is not null
)

select * from rejected
