with

accounts as (
    select * from {{ source('loan_book', 'accounts') }}
),

renamed as (
    select
        id as account_id,
        customer_id,
        status as account_status,
        cast(loan_amount as {{ dbt.type_numeric() }}) as loan_amount,
        tenure_months,
        cast(interest_rate as {{ dbt.type_float() }}) as interest_rate,
        disbursement_date,
        maturity_date,
        created_at,
        updated_at
    from accounts
)

select * from renamed
