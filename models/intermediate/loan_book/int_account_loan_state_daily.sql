{#-
    The DPD rule is the simulator's and the lender's (docs/decisions.md): DPD on
    day d = d - due date of the oldest installment due before d and not fully
    paid by d.

    Incremental: rewrites the days recompute_from() names (the lookback days
    and the new ones). It reads 89 days more (the trailing 90-day counts) and
    starts the running totals from the events before them, so the rows equal a
    full build as long as payments are recorded within the lookback.
-#}
{{ config(
    **incremental_config(['account_id', 'local_date'], day_column='local_date')
) }}

with

accounts as (
    select * from {{ ref('stg_loan_book__accounts') }}
),

portfolio_calendar as (
    select * from {{ ref('int_portfolio_calendar') }}
),

installments_settled as (
    select * from {{ ref('int_installments_settled') }}
),

payments_applied as (
    select * from {{ ref('int_payments_applied') }}
),

as_of as (
    select max(local_date) as as_of_date from portfolio_calendar
),

{%- set first_day = recompute_from() if is_incremental() else 'cast(null as date)' %}

recompute as (
    -- first day written, and first day read (89 days earlier, for the 90-day
    -- counts); both null on a full build
    select
        bounds.first_day,
        bounds.first_day - 89 as read_from
    from (select {{ first_day }} as first_day) as bounds
),

spine as (
    select
        accounts.account_id,
        portfolio_calendar.local_date,
        portfolio_calendar.month_start_date,
        accounts.disbursement_date
    from accounts
    inner join portfolio_calendar
        on accounts.disbursement_date <= portfolio_calendar.local_date
    cross join recompute
    where recompute.read_from is null or portfolio_calendar.local_date >= recompute.read_from
),

before_read as (
    -- running totals of the days before the first day read
    select
        installments_settled.account_id,
        sum(
            case
                when installments_settled.due_date + 1 < recompute.read_from
                    then installments_settled.total_due_amount
            end
        )
            as fell_due_amount,
        0 as arrears_paid_amount,
        0 as principal_paid_amount,
        cast(null as date) as payment_date
    from installments_settled
    cross join recompute
    group by installments_settled.account_id
    union all
    select
        payments_applied.account_id,
        0 as fell_due_amount,
        sum(
            case
                when payments_applied.arrears_effective_date < recompute.read_from
                    then payments_applied.applied_amount
            end
        ) as arrears_paid_amount,
        sum(
            case
                when payments_applied.paid_date < recompute.read_from and payments_applied.amount_paid > 0
                    then
                        cast(payments_applied.applied_amount as {{ dbt.type_float() }})
                        * cast(payments_applied.principal_amount as {{ dbt.type_float() }})
                        / nullif(cast(payments_applied.total_due_amount as {{ dbt.type_float() }}), 0)
            end
        ) as principal_paid_amount,
        max(
            case
                when payments_applied.paid_date < recompute.read_from and payments_applied.applied_amount > 0
                    then payments_applied.paid_date
            end
        ) as payment_date
    from payments_applied
    cross join recompute
    group by payments_applied.account_id
),

carried_in as (
    select
        account_id,
        coalesce(sum(fell_due_amount), 0) as fell_due_amount,
        coalesce(sum(arrears_paid_amount), 0) as arrears_paid_amount,
        coalesce(sum(principal_paid_amount), 0) as principal_paid_amount,
        max(payment_date) as payment_date
    from before_read
    group by account_id
),

scheduled as (
    select
        account_id,
        sum(principal_amount) as scheduled_principal_amount
    from installments_settled
    group by account_id
),

falling_due as (
    -- an installment is owed from the day after its due date
    select
        account_id,
        due_date + 1 as local_date,
        sum(total_due_amount) as fell_due_amount,
        count(*) as installments_fell_due
    from installments_settled
    group by account_id, due_date + 1
),

arrears_paid as (
    select
        account_id,
        arrears_effective_date as local_date,
        sum(applied_amount) as arrears_paid_amount
    from payments_applied
    where applied_amount > 0
    group by account_id, arrears_effective_date
),

paid_on_day as (
    select
        payments_applied.account_id,
        payments_applied.paid_date as local_date,
        sum(payments_applied.applied_amount) as paid_amount,
        sum(
            cast(payments_applied.applied_amount as {{ dbt.type_float() }})
            * cast(payments_applied.principal_amount as {{ dbt.type_float() }})
            / nullif(cast(payments_applied.total_due_amount as {{ dbt.type_float() }}), 0)
        ) as principal_paid_amount
    from payments_applied
    where payments_applied.amount_paid > 0 and payments_applied.paid_date is not null
    group by payments_applied.account_id, payments_applied.paid_date
),

attempts_on_day as (
    -- an attempt is known on its paid date, or on its due date when nothing was paid
    select
        account_id,
        coalesce(paid_date, due_date) as local_date,
        count(case when payment_status = 'missed' then 1 end) as missed_attempts,
        count(case when payment_status = 'bounced' then 1 end) as bounced_attempts,
        count(case when payment_status = 'partial' then 1 end) as partial_attempts
    from payments_applied
    group by account_id, coalesce(paid_date, due_date)
),

overdue_days as (
    -- each installment is overdue from the day after its due date to the day
    -- before it is fully paid
    select
        installments_settled.account_id,
        installments_settled.due_date,
        {{ day_series(
            'greatest(installments_settled.due_date + 1, coalesce(recompute.read_from, installments_settled.due_date + 1))',
            'coalesce(installments_settled.fully_paid_date - 1, as_of.as_of_date)',
        ) }} as local_date
    from installments_settled
    cross join as_of
    cross join recompute
    where
        installments_settled.due_date < as_of.as_of_date
        and installments_settled.total_due_amount > 0
        and (
            installments_settled.fully_paid_date is null
            or installments_settled.fully_paid_date > installments_settled.due_date + 1
        )
),

overdue_by_day as (
    select
        account_id,
        local_date,
        min(due_date) as oldest_overdue_due_date,
        count(*) as installments_overdue
    from overdue_days
    group by account_id, local_date
),

daily as (
    select
        spine.account_id,
        spine.local_date,
        spine.month_start_date,
        spine.disbursement_date,
        coalesce(falling_due.fell_due_amount, 0) as fell_due_amount,
        coalesce(arrears_paid.arrears_paid_amount, 0) as arrears_paid_amount,
        coalesce(paid_on_day.paid_amount, 0) as paid_amount,
        coalesce(paid_on_day.principal_paid_amount, 0) as principal_paid_amount,
        case when paid_on_day.paid_amount > 0 then spine.local_date end as payment_date,
        coalesce(attempts_on_day.missed_attempts, 0) as missed_attempts,
        coalesce(attempts_on_day.bounced_attempts, 0) as bounced_attempts,
        coalesce(attempts_on_day.partial_attempts, 0) as partial_attempts,
        overdue_by_day.oldest_overdue_due_date,
        coalesce(overdue_by_day.installments_overdue, 0) as installments_overdue,
        coalesce(scheduled.scheduled_principal_amount, 0) as scheduled_principal_amount,
        coalesce(carried_in.fell_due_amount, 0) as carried_fell_due_amount,
        coalesce(carried_in.arrears_paid_amount, 0) as carried_arrears_paid_amount,
        coalesce(carried_in.principal_paid_amount, 0) as carried_principal_paid_amount,
        carried_in.payment_date as carried_payment_date
    from spine
    left join falling_due
        on
            spine.account_id = falling_due.account_id
            and spine.local_date = falling_due.local_date
    left join arrears_paid
        on
            spine.account_id = arrears_paid.account_id
            and spine.local_date = arrears_paid.local_date
    left join paid_on_day
        on
            spine.account_id = paid_on_day.account_id
            and spine.local_date = paid_on_day.local_date
    left join attempts_on_day
        on
            spine.account_id = attempts_on_day.account_id
            and spine.local_date = attempts_on_day.local_date
    left join overdue_by_day
        on
            spine.account_id = overdue_by_day.account_id
            and spine.local_date = overdue_by_day.local_date
    left join scheduled
        on spine.account_id = scheduled.account_id
    left join carried_in
        on spine.account_id = carried_in.account_id
),

accumulated as (
    select
        *,
        carried_fell_due_amount + sum(fell_due_amount) over to_date as due_to_date_amount,
        carried_arrears_paid_amount + sum(arrears_paid_amount) over to_date as arrears_paid_to_date_amount,
        carried_principal_paid_amount + sum(principal_paid_amount) over to_date as principal_paid_to_date_amount,
        greatest(max(payment_date) over to_date, carried_payment_date) as last_payment_date,
        sum(missed_attempts) over last_30_days as missed_payments_30d,
        sum(bounced_attempts) over last_30_days as bounced_payments_30d,
        sum(partial_attempts) over last_30_days as partial_payments_30d,
        sum(missed_attempts) over last_90_days as missed_payments_90d,
        sum(bounced_attempts) over last_90_days as bounced_payments_90d,
        sum(partial_attempts) over last_90_days as partial_payments_90d,
        sum(fell_due_amount) over last_90_days as fell_due_90d_amount,
        sum(paid_amount) over last_90_days as paid_90d_amount
    from daily
    window
        to_date as (partition by account_id order by local_date rows between unbounded preceding and current row),
        last_30_days as (partition by account_id order by local_date rows between 29 preceding and current row),
        last_90_days as (partition by account_id order by local_date rows between 89 preceding and current row)
),

final as (
    select
        account_id,
        local_date,
        month_start_date,
        disbursement_date,
        {{ days_between('disbursement_date', 'local_date') }} as days_on_book,
        case
            when oldest_overdue_due_date is not null then {{ days_between('oldest_overdue_due_date', 'local_date') }}
            else 0
        end as days_past_due,
        case
            when oldest_overdue_due_date is null then 'current'
            when {{ days_between('oldest_overdue_due_date', 'local_date') }} < 30 then '1-29'
            when {{ days_between('oldest_overdue_due_date', 'local_date') }} < 60 then '30-59'
            when {{ days_between('oldest_overdue_due_date', 'local_date') }} < 90 then '60-89'
            else '90+'
        end as dpd_bucket,
        installments_overdue,
        cast(due_to_date_amount - arrears_paid_to_date_amount as {{ dbt.type_numeric() }}) as arrears_amount,
        cast(due_to_date_amount as {{ dbt.type_numeric() }}) as due_to_date_amount,
        cast(greatest(
            cast(scheduled_principal_amount as {{ dbt.type_float() }}) - principal_paid_to_date_amount, 0
        ) as {{ dbt.type_numeric() }}) as outstanding_principal_amount,
        case
            when due_to_date_amount > 0
                then
                    1 - cast(due_to_date_amount - arrears_paid_to_date_amount as {{ dbt.type_float() }})
                    / cast(due_to_date_amount as {{ dbt.type_float() }})
        end as paid_ratio_to_date,
        case
            when fell_due_90d_amount > 0
                then
                    cast(paid_90d_amount as {{ dbt.type_float() }})
                    / cast(fell_due_90d_amount as {{ dbt.type_float() }})
        end as paid_ratio_90d,
        cast(paid_amount as {{ dbt.type_numeric() }}) as paid_amount,
        last_payment_date,
        {{ days_between('last_payment_date', 'local_date') }} as days_since_last_payment,
        missed_payments_30d,
        bounced_payments_30d,
        partial_payments_30d,
        missed_payments_90d,
        bounced_payments_90d,
        partial_payments_90d
    from accumulated
    where local_date >= coalesce((select recompute.first_day from recompute), local_date)
)

select * from final
