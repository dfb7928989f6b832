{#-
    An installment due on or before the day counts; its lateness is the days
    from its due date to the day it was fully paid, or to this day while it is
    not (a later payment is not known yet).

    Incremental: rewrites the days recompute_from() names (the lookback days and
    the new ones), reading 179 days of loan state before them for the trailing
    180-day payment habit; installments are read whole (one row each). A day's
    row uses only what was known by that day, so an old day changes only when a
    late payment lands within the lookback, as in int_account_loan_state_daily.
    Before, the table was rebuilt over the whole loan history on every run
    (13.7 s of a PostgreSQL daily run at 3,000 accounts; docs/decisions.md D29).
-#}
{{ config(
    **incremental_config(['account_id', 'local_date'], day_column='local_date')
) }}

{%- set first_day = recompute_from() if is_incremental() else none %}

with

loan_state_read as (
    -- the days written and, before them, the 179 the payment habit looks back on
    select
        account_id,
        local_date,
        paid_amount
    from {{ ref('int_account_loan_state_daily') }}
    {%- if first_day is not none %}
        where local_date >= {{ first_day }} - 179
    {%- endif %}
),

account_loan_state_daily as (
    -- the days this run writes
    select
        account_id,
        local_date
    from loan_state_read
    {%- if first_day is not none %}
        where local_date >= {{ first_day }}
    {%- endif %}
),

installments_settled as (
    select * from {{ ref('int_installments_settled') }}
),

installment_sequence as (
    -- each installment with the two before it and the one after it
    select
        account_id,
        due_date,
        fully_paid_date,
        lag(due_date, 1) over by_due as previous_due_date,
        lag(fully_paid_date, 1) over by_due as previous_fully_paid_date,
        lag(due_date, 2) over by_due as second_previous_due_date,
        lag(fully_paid_date, 2) over by_due as second_previous_fully_paid_date,
        lead(due_date, 1) over by_due as next_due_date,
        lead(total_due_amount, 1) over by_due as next_total_due_amount
    from installments_settled
    window by_due as (partition by account_id order by due_date)
),

first_installments as (
    select
        account_id,
        due_date as first_due_date,
        total_due_amount as first_total_due_amount
    from installments_settled
    where installment_number = 1
),

payment_habit as (
    -- what the customer usually pays: the mean amount of a paying day in the last 180 days
    select
        account_id,
        local_date,
        sum(paid_amount) over last_180_days
        / nullif(sum(case when paid_amount > 0 then 1 else 0 end) over last_180_days, 0) as usual_payment_amount
    from loan_state_read
    window last_180_days as (
        partition by account_id order by local_date rows between 179 preceding and current row
    )
),

latest_due as (
    -- the latest installment due on or before the day (none before the first one)
    select
        account_loan_state_daily.account_id,
        account_loan_state_daily.local_date,
        installment_sequence.due_date,
        installment_sequence.fully_paid_date,
        installment_sequence.previous_due_date,
        installment_sequence.previous_fully_paid_date,
        installment_sequence.second_previous_due_date,
        installment_sequence.second_previous_fully_paid_date,
        installment_sequence.next_due_date,
        installment_sequence.next_total_due_amount
    from account_loan_state_daily
    inner join installment_sequence
        on
            account_loan_state_daily.account_id = installment_sequence.account_id
            and account_loan_state_daily.local_date >= installment_sequence.due_date
            and (
                installment_sequence.next_due_date is null
                or account_loan_state_daily.local_date < installment_sequence.next_due_date
            )
),

final as (
    select
        account_loan_state_daily.account_id,
        account_loan_state_daily.local_date,
        {{ days_late('latest_due.due_date', 'latest_due.fully_paid_date', 'account_loan_state_daily.local_date') }}
            as days_late_last_installment,
        {{ days_late(
            'latest_due.previous_due_date', 'latest_due.previous_fully_paid_date', 'account_loan_state_daily.local_date'
        ) }}
            as days_late_second_last_installment,
        {{ days_late(
            'latest_due.second_previous_due_date', 'latest_due.second_previous_fully_paid_date', 'account_loan_state_daily.local_date'
        ) }} as days_late_third_last_installment,
        {{ days_between(
            'account_loan_state_daily.local_date', 'coalesce(latest_due.next_due_date, first_installments.first_due_date)'
        ) }} as days_to_next_due,
        cast(
            coalesce(latest_due.next_total_due_amount, first_installments.first_total_due_amount)
            as {{ dbt.type_float() }}
        )
        / nullif(cast(payment_habit.usual_payment_amount as {{ dbt.type_float() }}), 0)
            as next_due_to_usual_payment_ratio
    from account_loan_state_daily
    left join latest_due
        on
            account_loan_state_daily.account_id = latest_due.account_id
            and account_loan_state_daily.local_date = latest_due.local_date
    left join first_installments
        on
            account_loan_state_daily.account_id = first_installments.account_id
            and account_loan_state_daily.local_date < first_installments.first_due_date
    left join payment_habit
        on
            account_loan_state_daily.account_id = payment_habit.account_id
            and account_loan_state_daily.local_date = payment_habit.local_date
)

select * from final
