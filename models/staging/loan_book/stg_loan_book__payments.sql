with

payments as (
    select * from {{ source('loan_book', 'payments') }}
),

renamed as (
    select
        id as payment_id,
        account_id,
        due_date,
        paid_date,
        cast(amount_due as {{ dbt.type_numeric() }}) as amount_due,
        cast(coalesce(amount_paid, 0) as {{ dbt.type_numeric() }}) as amount_paid,
        payment_method,
        status as payment_status,
        bounce_reason,
        created_at
    from payments
)

select * from renamed
