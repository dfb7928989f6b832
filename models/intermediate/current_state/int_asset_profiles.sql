{#-
    One row per asset: who finances it and what it is (model, OEM, vehicle
    type), ready for the marts to join once.
-#}
with

assets_joined as (
    select * from {{ ref('int_assets_joined') }}
),

asset_models as (
    select * from {{ ref('stg_fleet__asset_models') }}
),

oems as (
    select * from {{ ref('stg_fleet__oems') }}
),

final as (
    select
        assets_joined.asset_id,
        assets_joined.account_id,
        assets_joined.customer_id,
        assets_joined.asset_status,
        assets_joined.vehicle_type,
        asset_models.asset_model_name,
        oems.oem_name,
        asset_models.battery_capacity_kwh,
        assets_joined.disbursement_date
    from assets_joined
    left join asset_models
        on assets_joined.asset_model_id = asset_models.asset_model_id
    left join oems
        on assets_joined.oem_id = oems.oem_id
)

select * from final
