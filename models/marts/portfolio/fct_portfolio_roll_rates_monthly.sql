with

account_loan_state_daily as (
    select * from {{ ref('int_account_loan_state_daily') }}
),

portfolio_calendar as (
    select * from {{ ref('int_portfolio_calendar') }}
),

month_ends as (
    select
        account_loan_state_daily.account_id,
        account_loan_state_daily.month_start_date,
        case
            when account_loan_state_daily.outstanding_principal_amount > 0 then account_loan_state_daily.dpd_bucket
            else 'closed'
        end
            as dpd_bucket,
        account_loan_state_daily.outstanding_principal_amount
    from account_loan_state_daily
    inner join portfolio_calendar
        on account_loan_state_daily.local_date = portfolio_calendar.local_date
    where portfolio_calendar.is_month_end
),

transitions as (
    select
        from_state.month_start_date,
        to_state.month_start_date as next_month_start_date,
        from_state.dpd_bucket as from_bucket,
        to_state.dpd_bucket as to_bucket,
        from_state.outstanding_principal_amount as from_outstanding_principal_amount
    from month_ends as from_state
    inner join month_ends as to_state
        on
            from_state.account_id = to_state.account_id
            and to_state.month_start_date = cast({{ dbt.dateadd('month', 1, 'from_state.month_start_date') }} as date)
    where from_state.dpd_bucket != 'closed'
),

counted as (
    select
        month_start_date,
        next_month_start_date,
        from_bucket,
        to_bucket,
        count(*) as accounts,
        sum(from_outstanding_principal_amount) as from_outstanding_principal_amount
    from transitions
    group by month_start_date, next_month_start_date, from_bucket, to_bucket
),

rated as (
    select
        *,
        cast(accounts as {{ dbt.type_float() }})
        / sum(accounts) over (partition by month_start_date, from_bucket) as account_roll_rate,
        cast(from_outstanding_principal_amount as {{ dbt.type_float() }})
        / nullif(
            sum(cast(from_outstanding_principal_amount as {{ dbt.type_float() }})) over (
                partition by month_start_date, from_bucket
            ),
            0
        ) as balance_roll_rate
    from counted
),

final as (
    select
        month_start_date,
        next_month_start_date,
        cast(from_bucket as {{ type_text() }}) as from_bucket,
        cast(to_bucket as {{ type_text() }}) as to_bucket,
        cast(accounts as integer) as accounts,
        cast(from_outstanding_principal_amount as numeric(18, 2)) as from_outstanding_principal_amount,
        cast(account_roll_rate as {{ type_double() }}) as account_roll_rate,
        cast(balance_roll_rate as {{ type_double() }}) as balance_roll_rate
    from rated
)

select * from final
