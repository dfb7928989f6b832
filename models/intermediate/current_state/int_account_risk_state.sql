with

account_current_state as (
    select * from {{ ref('account_current_state') }}
),

final as (
    select
        account_id,
        risk_scored_on,
        {{ local_midnight_utc('risk_scored_on') }} as risk_state_at,
        risk_score,
        risk_band,
        risk_value,
        days_past_due
    from account_current_state
    where risk_scored_on is not null
)

select * from final
