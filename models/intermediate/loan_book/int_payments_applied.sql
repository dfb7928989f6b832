{#-
    `arrears_effective_date` is the first day the payment reduces arrears: its
    paid date, or, for a payment made before the due date, the day after the due
    date (an installment is only in arrears from then).
-#}
with

payments as (
    select * from {{ ref('stg_loan_book__payments') }}
),

installments as (
    select * from {{ ref('stg_loan_book__installments') }}
),

matched as (
    select
        payments.payment_id,
        payments.account_id,
        installments.installment_id,
        payments.due_date,
        payments.paid_date,
        payments.payment_status,
        payments.amount_due,
        payments.amount_paid,
        installments.total_due_amount,
        installments.principal_amount
    from payments
    left join installments
        on
            payments.account_id = installments.account_id
            and payments.due_date = installments.due_date
),

cumulated as (
    select
        *,
        coalesce(sum(case when paid_date is not null then amount_paid end) over (
            partition by account_id, due_date
            order by paid_date, payment_id
            rows between unbounded preceding and 1 preceding
        ), 0) as paid_before_amount
    from matched
),

applied as (
    select
        payment_id,
        account_id,
        installment_id,
        due_date,
        paid_date,
        payment_status,
        amount_due,
        amount_paid,
        cast(case
            when paid_date is null or installment_id is null then 0
            else
                greatest(
                    0,
                    least(total_due_amount, paid_before_amount + amount_paid)
                    - least(total_due_amount, paid_before_amount)
                )
        end as {{ dbt.type_numeric() }}) as applied_amount,
        total_due_amount,
        principal_amount,
        case when paid_date is not null then greatest(paid_date, due_date + 1) end as arrears_effective_date,
        paid_date is not null
        and installment_id is not null
        and paid_before_amount < total_due_amount
        and paid_before_amount + amount_paid >= total_due_amount as settles_installment
    from cumulated
)

select * from applied
