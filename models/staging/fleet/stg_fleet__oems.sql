with

oems as (
    select * from {{ source('fleet', 'oems') }}
),

renamed as (
    select
        id as oem_id,
        name as oem_name,
        country,
        created_at
    from oems
)

select * from renamed
