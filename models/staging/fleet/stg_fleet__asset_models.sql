with

asset_models as (
    select * from {{ source('fleet', 'asset_models') }}
),

renamed as (
    select
        id as asset_model_id,
        oem_id,
        name as asset_model_name,
        vehicle_type,
        cast(battery_capacity_kwh as {{ dbt.type_float() }}) as battery_capacity_kwh,
        created_at
    from asset_models
)

select * from renamed
