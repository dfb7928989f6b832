{#- One row per loan account: the account risk dashboard (risk, payments, vehicles, events, priority). -#}
{{ config(materialized='view') }}

with

account_states as (
    select * from {{ ref('account_current_state') }}
),

customer_states as (
    select * from {{ ref('customer_current_state') }}
),

collection_priority as (
    select * from {{ ref('v_collection_priority') }}
),

final as (
    select
        account_states.account_id,
        account_states.customer_id,
        customer_states.city as customer_city,
        account_states.account_status,
        account_states.risk_band,
        account_states.risk_score,
        account_states.risk_reasons,
        account_states.ml_probability_30d,
        account_states.ml_probability_90d,
        account_states.ml_probability_180d,
        account_states.ml_roll_forward_probability,
        account_states.ml_reasons,
        account_states.days_past_due,
        account_states.dpd_bucket,
        account_states.loan_amount,
        account_states.outstanding_principal_amount,
        account_states.arrears_amount,
        account_states.days_since_last_payment,
        account_states.missed_payments_90d,
        account_states.bounced_payments_90d,
        account_states.vehicles,
        account_states.vehicles_device_alive,
        account_states.last_signal_at,
        account_states.open_events,
        account_states.max_open_severity,
        account_states.open_event_names,
        account_states.recommended_action,
        collection_priority.priority_rank,
        collection_priority.expected_loss_amount,
        account_states.as_of_date
    from account_states
    left join customer_states
        on account_states.customer_id = customer_states.customer_id
    left join collection_priority
        on account_states.account_id = collection_priority.account_id
)

select * from final
