with

assets as (
    select * from {{ source('fleet', 'assets') }}
),

renamed as (
    select
        id as asset_id,
        account_id,
        asset_model_id,
        status as asset_status,
        year_of_manufacture,
        created_at,
        updated_at
    from assets
)

select * from renamed
