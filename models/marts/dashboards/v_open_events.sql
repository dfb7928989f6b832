{#-
    One row per open event: what is wrong, on which vehicle, account or ML
    model, since when, how severe, what to do, whether anyone has acknowledged
    it, and the account's risk band and priority. Most urgent first when sorted
    by severity. Model drift events have no account: their account columns are
    null and days_open counts to the model's latest scored as-of day.
-#}
{{ config(materialized='view') }}

with

event_timeline as (
    select * from {{ ref('v_event_timeline') }}
),

account_states as (
    select * from {{ ref('account_current_state') }}
),

final as (
    select
        event_timeline.event_id,
        event_timeline.event_name,
        event_timeline.indicator_name,
        event_timeline.event_trigger,
        event_timeline.severity,
        event_timeline.is_actionable,
        event_timeline.recommended_action,
        event_timeline.entity_type,
        event_timeline.asset_id,
        event_timeline.account_id,
        account_states.customer_id,
        event_timeline.ml_model,
        event_timeline.opened_on,
        cast(
            case
                when event_timeline.entity_type = 'model' then event_timeline.duration_days
                else {{ days_between('event_timeline.opened_on', 'account_states.as_of_date') }} + 1
            end as integer
        ) as days_open,
        event_timeline.score_before,
        event_timeline.score_at_open,
        event_timeline.peak_score,
        event_timeline.latest_score,
        event_timeline.acknowledged_at is not null as is_acknowledged,
        event_timeline.acknowledged_at,
        event_timeline.notes,
        account_states.risk_band as account_risk_band,
        account_states.days_past_due as account_days_past_due,
        account_states.outstanding_principal_amount as account_outstanding_principal_amount
    from event_timeline
    left join account_states
        on event_timeline.account_id = account_states.account_id
    where event_timeline.event_status = 'open'
)

select * from final
