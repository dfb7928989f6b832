{#-
    The timeline behind the events dashboard. Model drift episodes
    (model_drift_events) have no vehicle, account, indicator scores or human
    actions: those columns are null (action_count 0).
-#}
{{ config(materialized='view') }}

with

events as (
    select * from {{ ref('events') }}
),

event_definitions_typed as (
    select * from {{ ref('int_event_definitions_typed') }}
),

indicator_parameters_typed as (
    select * from {{ ref('int_indicator_parameters_typed') }}
),

model_drift_events as (
    select * from {{ ref('model_drift_events') }}
),

entity_events as (
    select
        events.event_id,
        cast(events.event_definition_id as {{ type_text() }}) as event_definition_id,
        cast(event_definitions_typed.display_name as {{ type_text() }}) as event_name,
        cast(indicator_parameters_typed.display_name as {{ type_text() }}) as indicator_name,
        cast(event_definitions_typed.trigger_description as {{ type_text() }}) as event_trigger,
        cast(events.entity_type as {{ type_text() }}) as entity_type,
        case when events.entity_type = 'asset' then events.entity_id end as asset_id,
        events.account_id,
        cast(null as {{ type_text() }}) as ml_model,
        cast(events.status as {{ type_text() }}) as event_status,
        events.opened_on,
        events.closed_on,
        events.triggered_at,
        events.first_triggered_on,
        events.last_triggered_on,
        cast(events.duration_days as integer) as duration_days,
        cast(events.severity as integer) as severity,
        events.is_actionable,
        cast(events.recommended_action as {{ type_text() }}) as recommended_action,
        cast({{ json_get_text('events.context', 'score_from') }} as integer) as score_before,
        cast({{ json_get_text('events.context', 'score_to') }} as integer) as score_at_open,
        cast(events.peak_score as integer) as peak_score,
        cast({{ json_get_text('events.context', 'latest_score') }} as integer) as latest_score,
        events.acknowledged_at,
        events.resolved_at,
        cast(events.outcome as {{ type_text() }}) as outcome,
        cast(events.notes as {{ type_text() }}) as notes,
        cast(events.action_count as integer) as action_count
    from events
    inner join event_definitions_typed
        on events.event_definition_id = event_definitions_typed.event_definition_id
    left join indicator_parameters_typed
        on events.indicator_id = indicator_parameters_typed.indicator_id
),

model_events as (
    select
        event_id,
        cast(event_definition_id as {{ type_text() }}) as event_definition_id,
        cast(event_name as {{ type_text() }}) as event_name,
        cast(null as {{ type_text() }}) as indicator_name,
        cast(event_trigger as {{ type_text() }}) as event_trigger,
        cast(entity_type as {{ type_text() }}) as entity_type,
        cast(null as {{ type_uuid() }}) as asset_id,
        cast(null as {{ type_uuid() }}) as account_id,
        cast(entity_id as {{ type_text() }}) as ml_model,
        cast(status as {{ type_text() }}) as event_status,
        opened_on,
        closed_on,
        triggered_at,
        opened_on as first_triggered_on,
        last_drifted_on as last_triggered_on,
        duration_days,
        severity,
        is_actionable,
        cast(recommended_action as {{ type_text() }}) as recommended_action,
        cast(null as integer) as score_before,
        cast(null as integer) as score_at_open,
        cast(null as integer) as peak_score,
        cast(null as integer) as latest_score,
        cast(null as {{ type_timestamptz() }}) as acknowledged_at,
        cast(null as {{ type_timestamptz() }}) as resolved_at,
        cast(null as {{ type_text() }}) as outcome,
        cast(null as {{ type_text() }}) as notes,
        cast(0 as integer) as action_count
    from model_drift_events
),

final as (
    select * from entity_events
    union all
    select * from model_events
)

select * from final
