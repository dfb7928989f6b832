{#-
    Most urgent first when sorted by severity. Model drift events have no
    account: their account columns are null and days_open counts to the model's
    latest scored as-of day.
-#}
{{ config(materialized='view') }}

with

v_event_timeline as (
    select * from {{ ref('v_event_timeline') }}
),

account_current_state as (
    select * from {{ ref('account_current_state') }}
),

final as (
    select
        v_event_timeline.event_id,
        v_event_timeline.event_name,
        v_event_timeline.indicator_name,
        v_event_timeline.event_trigger,
        v_event_timeline.severity,
        v_event_timeline.is_actionable,
        v_event_timeline.recommended_action,
        v_event_timeline.entity_type,
        v_event_timeline.asset_id,
        v_event_timeline.account_id,
        account_current_state.customer_id,
        v_event_timeline.ml_model,
        v_event_timeline.opened_on,
        cast(
            case
                when v_event_timeline.entity_type = 'model' then v_event_timeline.duration_days
                else {{ days_between('v_event_timeline.opened_on', 'account_current_state.as_of_date') }} + 1
            end as integer
        ) as days_open,
        v_event_timeline.score_before,
        v_event_timeline.score_at_open,
        v_event_timeline.peak_score,
        v_event_timeline.latest_score,
        v_event_timeline.acknowledged_at is not null as is_acknowledged,
        v_event_timeline.acknowledged_at,
        v_event_timeline.notes,
        account_current_state.risk_band as account_risk_band,
        account_current_state.days_past_due as account_days_past_due,
        account_current_state.outstanding_principal_amount as account_outstanding_principal_amount
    from v_event_timeline
    left join account_current_state
        on v_event_timeline.account_id = account_current_state.account_id
    where v_event_timeline.event_status = 'open'
)

select * from final
