{{ config(materialized='view') }}

with

assets as (
    select * from {{ ref('stg_fleet__assets') }}
),

accounts as (
    select * from {{ ref('stg_loan_book__accounts') }}
),

asset_models as (
    select * from {{ ref('stg_fleet__asset_models') }}
),

joined as (
    select
        assets.asset_id,
        assets.account_id,
        accounts.customer_id,
        assets.asset_model_id,
        asset_models.oem_id,
        asset_models.vehicle_type,
        assets.asset_status,
        accounts.disbursement_date
    from assets
    left join accounts
        on assets.account_id = accounts.account_id
    left join asset_models
        on assets.asset_model_id = asset_models.asset_model_id
)

select * from joined
