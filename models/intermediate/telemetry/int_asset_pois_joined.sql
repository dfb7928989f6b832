{#-
    Three equi-joins rather than one join on an OR, which neither engine can
    hash.
-#}
{{ config(materialized='view') }}

with

assets_joined as (
    select * from {{ ref('int_assets_joined') }}
),

pois as (
    select * from {{ ref('stg_fleet__pois') }}
),

owner_keys as (
    select
        asset_id,
        'asset' as owner_type,
        asset_id as owner_id
    from assets_joined
    union all
    select
        asset_id,
        'customer' as owner_type,
        customer_id as owner_id
    from assets_joined
    where customer_id is not null
    union all
    select
        asset_id,
        'oem' as owner_type,
        oem_id as owner_id
    from assets_joined
    where oem_id is not null
),

joined as (
    select
        owner_keys.asset_id,
        pois.poi_id,
        pois.poi_type,
        pois.owner_type as poi_owner_type,
        pois.lat,
        pois.lon,
        pois.radius_m,
        pois.created_at
    from owner_keys
    inner join pois
        on
            owner_keys.owner_type = pois.owner_type
            and owner_keys.owner_id = pois.owner_id
)

select * from joined
