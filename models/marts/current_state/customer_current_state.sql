{#-
    One row per borrower: their accounts rolled up (exposure, arrears, worst
    DPD and risk, open events). No personal data: name, phone and e-mail stay
    in staging.
-#}
with

customers as (
    select * from {{ ref('stg_loan_book__customers') }}
),

account_states as (
    select * from {{ ref('account_current_state') }}
),

risk_settings as (
    select * from {{ ref('risk_settings') }}
),

rolled_up as (
    select
        customer_id,
        count(*) as accounts,
        count(case when outstanding_principal_amount > 0 then 1 end) as accounts_with_principal,
        sum(vehicles) as vehicles,
        sum(loan_amount) as loan_amount,
        sum(outstanding_principal_amount) as outstanding_principal_amount,
        sum(arrears_amount) as arrears_amount,
        max(days_past_due) as max_days_past_due,
        max(risk_score) as worst_risk_score,
        max(ml_probability_30d) as max_ml_probability_30d,
        sum(open_events) as open_events,
        max(max_open_severity) as max_open_severity,
        max(last_signal_at) as last_signal_at,
        max(as_of_date) as as_of_date
    from account_states
    group by customer_id
),

final as (
    select
        customers.customer_id,
        cast(customers.customer_status as {{ type_text() }}) as customer_status,
        cast(customers.city as {{ type_text() }}) as city,
        rolled_up.as_of_date,
        cast(coalesce(rolled_up.accounts, 0) as integer) as accounts,
        cast(coalesce(rolled_up.accounts_with_principal, 0) as integer) as accounts_with_principal,
        cast(coalesce(rolled_up.vehicles, 0) as integer) as vehicles,
        cast(rolled_up.loan_amount as numeric(18, 2)) as loan_amount,
        cast(rolled_up.outstanding_principal_amount as numeric(18, 2)) as outstanding_principal_amount,
        cast(rolled_up.arrears_amount as numeric(18, 2)) as arrears_amount,
        cast(rolled_up.max_days_past_due as integer) as max_days_past_due,
        cast(rolled_up.worst_risk_score as integer) as worst_risk_score,
        cast({{ risk_band('rolled_up.worst_risk_score') }} as {{ type_text() }}) as worst_risk_band,
        cast(rolled_up.max_ml_probability_30d as {{ type_double() }}) as max_ml_probability_30d,
        cast(coalesce(rolled_up.open_events, 0) as integer) as open_events,
        cast(rolled_up.max_open_severity as integer) as max_open_severity,
        cast(rolled_up.last_signal_at as {{ type_timestamptz() }}) as last_signal_at
    from customers
    left join rolled_up
        on customers.customer_id = rolled_up.customer_id
    cross join risk_settings
)

select * from final
