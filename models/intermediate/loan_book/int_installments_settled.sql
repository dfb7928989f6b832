{#-
    The basis of days past due.
-#}
with

installments as (
    select * from {{ ref('stg_loan_book__installments') }}
),

payments_applied as (
    select * from {{ ref('int_payments_applied') }}
),

per_installment as (
    select
        installment_id,
        sum(applied_amount) as paid_amount,
        min(case when applied_amount > 0 then paid_date end) as first_paid_date,
        max(case when applied_amount > 0 then paid_date end) as last_paid_date,
        min(case when settles_installment then paid_date end) as settled_date,
        count(*) as payment_attempts,
        count(case when payment_status = 'missed' then 1 end) as missed_attempts,
        count(case when payment_status = 'bounced' then 1 end) as bounced_attempts,
        count(case when payment_status = 'partial' then 1 end) as partial_attempts
    from payments_applied
    where installment_id is not null
    group by installment_id
),

final as (
    select
        installments.installment_id,
        installments.account_id,
        installments.installment_number,
        installments.due_date,
        installments.total_due_amount,
        installments.principal_amount,
        cast(coalesce(per_installment.paid_amount, 0) as {{ dbt.type_numeric() }}) as paid_amount,
        per_installment.first_paid_date,
        per_installment.last_paid_date,
        case
            -- nothing to pay: settled on its due date
            when installments.total_due_amount <= 0 then installments.due_date
            else per_installment.settled_date
        end as fully_paid_date,
        coalesce(per_installment.payment_attempts, 0) as payment_attempts,
        coalesce(per_installment.missed_attempts, 0) as missed_attempts,
        coalesce(per_installment.bounced_attempts, 0) as bounced_attempts,
        coalesce(per_installment.partial_attempts, 0) as partial_attempts
    from installments
    left join per_installment
        on installments.installment_id = per_installment.installment_id
)

select * from final
