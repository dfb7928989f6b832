{#- One row per loan account: the account risk dashboard (risk, payments, vehicles, events, priority). -#}
{{ config(materialized='view') }}

with

account_current_state as (
    select * from {{ ref('account_current_state') }}
),

customer_current_state as (
    select * from {{ ref('customer_current_state') }}
),

v_collection_priority as (
    select * from {{ ref('v_collection_priority') }}
),

final as (
    select
        account_current_state.account_id,
        account_current_state.customer_id,
        customer_current_state.city as customer_city,
        account_current_state.account_status,
        account_current_state.risk_band,
        account_current_state.risk_score,
        account_current_state.risk_reasons,
        account_current_state.ml_probability_30d,
        account_current_state.ml_probability_90d,
        account_current_state.ml_probability_180d,
        account_current_state.ml_roll_forward_probability,
        account_current_state.ml_reasons,
        account_current_state.days_past_due,
        account_current_state.dpd_bucket,
        account_current_state.loan_amount,
        account_current_state.outstanding_principal_amount,
        account_current_state.arrears_amount,
        account_current_state.days_since_last_payment,
        account_current_state.missed_payments_90d,
        account_current_state.bounced_payments_90d,
        account_current_state.vehicles,
        account_current_state.vehicles_device_alive,
        account_current_state.last_signal_at,
        account_current_state.open_events,
        account_current_state.max_open_severity,
        account_current_state.open_event_names,
        account_current_state.recommended_action,
        v_collection_priority.priority_rank,
        v_collection_priority.expected_loss_amount,
        account_current_state.as_of_date
    from account_current_state
    left join customer_current_state
        on account_current_state.customer_id = customer_current_state.customer_id
    left join v_collection_priority
        on account_current_state.account_id = v_collection_priority.account_id
)

select * from final
