{#-
    One row per loan account: its loan state on the latest day (DPD, arrears,
    outstanding principal, recent payments), its vehicles rolled up, its
    rule-based risk score and reasons, its latest ML probabilities and its
    open events with the action to take first. Pre-joined for Metabase.
-#}
with

accounts as (
    select * from {{ ref('stg_loan_book__accounts') }}
),

account_metrics as (
    select * from {{ ref('account_metrics_daily') }}
),

asset_states as (
    select * from {{ ref('asset_current_state') }}
),

indicators_latest as (
    select * from {{ ref('int_entity_indicators_latest') }}
),

events_open as (
    select * from {{ ref('int_entity_events_open') }}
),

ml_scores as (
    select * from {{ ref('int_account_ml_scores_latest') }}
),

risk_settings as (
    select * from {{ ref('risk_settings') }}
),

latest_metrics as (
    select
        *,
        row_number() over (partition by account_id order by local_date desc) as recency
    from account_metrics
),

fleets as (
    select
        account_id,
        count(*) as vehicles,
        count(case when is_device_alive then 1 end) as vehicles_device_alive,
        count(case when is_located then 1 end) as vehicles_located,
        count(case when is_located_at_base then 1 end) as vehicles_at_base,
        count(case when last_signal_at is not null then 1 end) as vehicles_with_telemetry,
        avg(case when last_signal_at is not null then recoverability_factor end) as recoverability_factor,
        max(last_signal_at) as last_signal_at
    from asset_states
    group by account_id
),

final as (
    select
        accounts.account_id,
        accounts.customer_id,
        cast(accounts.account_status as {{ type_text() }}) as account_status,
        cast(accounts.loan_amount as numeric(18, 2)) as loan_amount,
        accounts.disbursement_date,
        accounts.maturity_date,
        cast(latest_metrics.local_date as date) as as_of_date,
        cast(latest_metrics.days_on_book as integer) as days_on_book,
        cast(coalesce(latest_metrics.days_past_due, 0) as integer) as days_past_due,
        cast(latest_metrics.dpd_bucket as {{ type_text() }}) as dpd_bucket,
        cast(latest_metrics.installments_overdue as integer) as installments_overdue,
        cast(latest_metrics.arrears_amount as numeric(18, 2)) as arrears_amount,
        cast(latest_metrics.outstanding_principal_amount as numeric(18, 2)) as outstanding_principal_amount,
        cast(latest_metrics.paid_ratio_90d as {{ type_double() }}) as paid_ratio_90d,
        cast(latest_metrics.days_since_last_payment as integer) as days_since_last_payment,
        cast(latest_metrics.missed_payments_90d as integer) as missed_payments_90d,
        cast(latest_metrics.bounced_payments_90d as integer) as bounced_payments_90d,
        cast(coalesce(fleets.vehicles, 0) as integer) as vehicles,
        cast(coalesce(fleets.vehicles_with_telemetry, 0) as integer) as vehicles_with_telemetry,
        cast(coalesce(fleets.vehicles_device_alive, 0) as integer) as vehicles_device_alive,
        cast(coalesce(fleets.vehicles_located, 0) as integer) as vehicles_located,
        cast(coalesce(fleets.vehicles_at_base, 0) as integer) as vehicles_at_base,
        cast(fleets.recoverability_factor as {{ type_double() }}) as recoverability_factor,
        cast(fleets.last_signal_at as {{ type_timestamptz() }}) as last_signal_at,
        cast(indicators_latest.scored_on as date) as risk_scored_on,
        cast(indicators_latest.risk_score as integer) as risk_score,
        cast({{ risk_band('indicators_latest.risk_score') }} as {{ type_text() }}) as risk_band,
        cast(indicators_latest.risk_value as {{ type_double() }}) as risk_value,
        cast(indicators_latest.indicator_reasons as {{ type_text() }}) as risk_reasons,
        cast(ml_scores.as_of_date as date) as ml_scored_as_of,
        cast(ml_scores.probability_30d as {{ type_double() }}) as ml_probability_30d,
        cast(ml_scores.probability_90d as {{ type_double() }}) as ml_probability_90d,
        cast(ml_scores.probability_180d as {{ type_double() }}) as ml_probability_180d,
        cast(ml_scores.roll_forward_probability as {{ type_double() }}) as ml_roll_forward_probability,
        cast(ml_scores.top_reasons as {{ type_text() }}) as ml_reasons,
        cast(ml_scores.model_name_version as {{ type_text() }}) as ml_model,
        cast(coalesce(events_open.open_events, 0) as integer) as open_events,
        cast(coalesce(events_open.open_actionable_events, 0) as integer) as open_actionable_events,
        cast(events_open.max_open_severity as integer) as max_open_severity,
        cast(events_open.open_event_names as {{ type_text() }}) as open_event_names,
        cast(events_open.recommended_action as {{ type_text() }}) as recommended_action
    from accounts
    left join latest_metrics
        on
            accounts.account_id = latest_metrics.account_id
            and latest_metrics.recency = 1
    left join fleets
        on accounts.account_id = fleets.account_id
    left join indicators_latest
        on
            indicators_latest.entity_type = 'account'
            and accounts.account_id = indicators_latest.entity_id
    left join events_open
        on
            events_open.entity_type = 'account'
            and accounts.account_id = events_open.entity_id
    left join ml_scores
        on accounts.account_id = ml_scores.account_id
    cross join risk_settings
)

select * from final
