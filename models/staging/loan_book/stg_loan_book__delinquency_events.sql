with

delinquency_events as (
    select * from {{ source('loan_book', 'delinquency_events') }}
),

renamed as (
    select
        id as delinquency_event_id,
        account_id,
        event_type as delinquency_type,
        triggered_at,
        resolved_at,
        days_past_due,
        cast(outstanding_amount as {{ dbt.type_numeric() }}) as outstanding_amount,
        created_at
    from delinquency_events
)

select * from renamed
