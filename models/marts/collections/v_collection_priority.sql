{#-
    The formula, the recoverability factor and the fallbacks are in the doc
    block collection_expected_loss (_collections__docs.md).
-#}
{{ config(materialized='view') }}

with

account_current_state as (
    select * from {{ ref('account_current_state') }}
),

collection_priority_parameters as (
    select * from {{ ref('int_collection_priority_parameters') }}
),

in_scope as (
    select *
    from account_current_state
    where
        outstanding_principal_amount > 0
        and account_status not in ('closed', 'written_off')
),

probabilities as (
    select
        in_scope.*,
        case
            when in_scope.days_past_due >= 30 then 'already_30_plus_dpd'
            when in_scope.days_past_due > 0 and in_scope.ml_roll_forward_probability is not null
                then 'roll_forward_model'
            when in_scope.ml_probability_30d is not null then 'ml_model'
            when in_scope.risk_score is not null then 'rules_fallback'
            else 'unscored_fallback'
        end as probability_source,
        case
            when in_scope.days_past_due >= 30 then 1.0
            -- a 1-29 DPD spell reaches 30 within 30 days or cures: the roll-forward probability
            when in_scope.days_past_due > 0 and in_scope.ml_roll_forward_probability is not null
                then in_scope.ml_roll_forward_probability
            when in_scope.ml_probability_30d is not null then in_scope.ml_probability_30d
            when in_scope.risk_score = 1 then collection_priority_parameters.fallback_probability_score_1
            when in_scope.risk_score = 2 then collection_priority_parameters.fallback_probability_score_2
            when in_scope.risk_score = 3 then collection_priority_parameters.fallback_probability_score_3
            when in_scope.risk_score = 4 then collection_priority_parameters.fallback_probability_score_4
            when in_scope.risk_score = 5 then collection_priority_parameters.fallback_probability_score_5
            else collection_priority_parameters.fallback_probability_unscored
        end as probability_30d,
        coalesce(in_scope.recoverability_factor, collection_priority_parameters.no_vehicle_data_factor) as loss_factor
    from in_scope
    cross join collection_priority_parameters
),

expected as (
    select
        *,
        probability_30d * cast(outstanding_principal_amount as {{ type_double() }}) * loss_factor
            as expected_loss
    from probabilities
),

final as (
    select
        cast(row_number() over (
            order by expected_loss desc, days_past_due desc, account_id asc
        ) as integer) as priority_rank,
        account_id,
        customer_id,
        cast(expected_loss as numeric(18, 2)) as expected_loss_amount,
        cast(probability_30d as {{ type_double() }}) as probability_30d,
        cast(probability_source as {{ type_text() }}) as probability_source,
        cast(outstanding_principal_amount as numeric(18, 2)) as outstanding_principal_amount,
        cast(loss_factor as {{ type_double() }}) as recoverability_factor,
        cast(
            case
                when ml_reasons is not null and ml_reasons != '' and risk_reasons is not null
                    then ml_reasons || '; ' || risk_reasons
                when ml_reasons is not null and ml_reasons != '' then ml_reasons
                else risk_reasons
            end as {{ type_text() }}
        ) as top_reasons,
        cast(
            coalesce(
                recommended_action,
                case
                    when days_past_due >= 30
                        then 'Already 30+ days past due: call today and plan a visit to the vehicle'
                    when days_past_due > 0 then 'Send a payment reminder and call the customer'
                    else 'No open event: monitor'
                end
            ) as {{ type_text() }}
        ) as recommended_action,
        cast(open_event_names as {{ type_text() }}) as open_events_behind,
        open_events,
        max_open_severity,
        days_past_due,
        arrears_amount,
        risk_score,
        risk_band,
        ml_probability_30d,
        vehicles,
        vehicles_device_alive,
        vehicles_located,
        vehicles_at_base,
        last_signal_at,
        as_of_date
    from expected
)

select * from final
