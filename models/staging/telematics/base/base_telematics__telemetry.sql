{#- Hot and archived telemetry as one relation, renamed and typed. -#}
{%- set columns = [
    'id', 'device_id', 'asset_id', 'ts', 'lat', 'lon', 'soc', 'odometer', 'speed',
    'is_charging', 'ingested_at', 'load_batch_id',
] | join(', ') %}

with

raw_telemetry as (
    select {{ columns }} from {{ source('telematics', 'raw_telemetry') }}
),

raw_telemetry_archive as (
    select {{ columns }} from {{ source('telematics', 'raw_telemetry_archive') }}
),

unioned as (
    select
        *,
        'raw_telemetry' as source_table
    from raw_telemetry
    union all
    select
        *,
        'raw_telemetry_archive' as source_table
    from raw_telemetry_archive
),

renamed as (
    select
        id as telemetry_id,
        device_id,
        asset_id as reported_asset_id,
        ts as recorded_at,
        cast(lat as {{ dbt.type_float() }}) as lat,
        cast(lon as {{ dbt.type_float() }}) as lon,
        cast(soc as {{ dbt.type_float() }}) as soc_pct,
        cast(odometer as {{ dbt.type_float() }}) as odometer_km,
        cast(speed as {{ dbt.type_float() }}) as speed_kmh,
        is_charging,
        ingested_at,
        load_batch_id,
        source_table
    from unioned
)

select * from renamed
