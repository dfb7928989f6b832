with

pois as (
    select * from {{ source('fleet', 'pois') }}
),

renamed as (
    select
        id as poi_id,
        owner_type,
        owner_id,
        poi_type,
        name as poi_name,
        cast(lat as {{ dbt.type_float() }}) as lat,
        cast(lon as {{ dbt.type_float() }}) as lon,
        coalesce(radius_m, 200) as radius_m,
        created_at
    from pois
)

select * from renamed
