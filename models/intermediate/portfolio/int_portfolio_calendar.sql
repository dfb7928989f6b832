with

accounts as (
    select * from {{ ref('stg_loan_book__accounts') }}
),

payments as (
    select * from {{ ref('stg_loan_book__payments') }}
),

telemetry_aggregated_daily as (
    select * from {{ ref('int_telemetry_aggregated_daily') }}
),

data_dates as (
    select max(local_date) as last_date from telemetry_aggregated_daily
    union all
    select max(cast({{ to_local_timestamp('created_at') }} as date)) as last_date from payments
    union all
    select max(paid_date) as last_date from payments
    union all
    select max(due_date) as last_date from payments
),

today as (
    select cast({{ to_local_timestamp(dbt.current_timestamp()) }} as date) as local_today
),

bounds as (
    select
        (select min(disbursement_date) from accounts) as first_date,
        (
            select
                case
                    when max(data_dates.last_date) > max(today.local_today)
                        then max(today.local_today)
                    else max(data_dates.last_date)
                end
            from data_dates cross join today
        ) as as_of_date
),

days as (
    select
        {{ day_series('first_date', 'as_of_date') }} as local_date,
        as_of_date
    from bounds
    where first_date is not null and as_of_date is not null
),

final as (
    select
        local_date,
        cast({{ dbt.date_trunc('month', 'local_date') }} as date) as month_start_date,
        local_date = as_of_date as is_as_of_date,
        local_date = as_of_date
        or extract(month from local_date + 1) != extract(month from local_date) as is_month_end,
        {{ local_midnight_utc('local_date') }} as day_start_at,
        {{ local_midnight_utc('local_date + 1') }} as day_end_at
    from days
)

select * from final
