with

repayment_schedule as (
    select * from {{ source('loan_book', 'repayment_schedule') }}
),

renamed as (
    select
        id as installment_id,
        account_id,
        installment_number,
        due_date,
        cast(principal_component as {{ dbt.type_numeric() }}) as principal_amount,
        cast(interest_component as {{ dbt.type_numeric() }}) as interest_amount,
        cast(total_due as {{ dbt.type_numeric() }}) as total_due_amount,
        created_at
    from repayment_schedule
)

select * from renamed
