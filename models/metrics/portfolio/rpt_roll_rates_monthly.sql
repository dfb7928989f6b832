{#-
    One row per month and pair of DPD buckets: of the loans in bucket `from`
    at the end of a month, how many (and how much outstanding principal) were
    in bucket `to` at the end of the next month. Buckets: current, 1-29,
    30-59, 60-89, 90+; `closed` when no principal is left. Month ends are the
    last local day of each month, and the as-of date for the month in progress.
-#}
with

loan_state as (
    select * from {{ ref('int_account_loan_state_daily') }}
),

calendar as (
    select * from {{ ref('int_portfolio_calendar') }}
),

month_ends as (
    select
        loan_state.account_id,
        loan_state.month_start_date,
        case when loan_state.outstanding_principal_amount > 0 then loan_state.dpd_bucket else 'closed' end
            as dpd_bucket,
        loan_state.outstanding_principal_amount
    from loan_state
    inner join calendar
        on loan_state.local_date = calendar.local_date
    where calendar.is_month_end
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

final as (
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
)

select * from final
