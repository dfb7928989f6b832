with

customers as (
    select * from {{ source('loan_book', 'customers') }}
),

renamed as (
    select
        id as customer_id,
        status as customer_status,
        full_name,
        phone,
        email,
        city,
        created_at,
        updated_at
    from customers
)

select * from renamed
