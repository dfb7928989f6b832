{#-
    One row per asset and per account with open events: how many, how severe,
    which, and the recommended action of the one to act on first (actionable
    before informational, then highest severity, then most recently opened).
-#}
{%- set listed_events = 5 %}

with

events as (
    select * from {{ ref('events') }}
),

event_definitions_typed as (
    select * from {{ ref('int_event_definitions_typed') }}
),

open_events as (
    select
        events.event_id,
        events.entity_type,
        events.entity_id,
        events.account_id,
        events.opened_on,
        events.severity,
        events.is_actionable,
        events.recommended_action,
        event_definitions_typed.display_name as event_name
    from events
    inner join event_definitions_typed
        on events.event_definition_id = event_definitions_typed.event_definition_id
    where events.status = 'open'
),

-- each open event counts for its own entity and, when on a vehicle, for the account too
by_entity as (
    select
        open_events.entity_type as rollup_entity_type,
        open_events.entity_id as rollup_entity_id,
        open_events.*
    from open_events
    union all
    select
        'account' as rollup_entity_type,
        open_events.account_id as rollup_entity_id,
        open_events.*
    from open_events
    where open_events.entity_type = 'asset' and open_events.account_id is not null
),

ranked as (
    select
        *,
        row_number() over (
            partition by rollup_entity_type, rollup_entity_id
            order by
                case when is_actionable then 0 else 1 end asc,
                severity desc,
                opened_on desc,
                event_name asc,
                event_id asc
        ) as action_rank
    from by_entity
),

final as (
    select
        rollup_entity_type as entity_type,
        rollup_entity_id as entity_id,
        count(*) as open_events,
        count(case when is_actionable then 1 end) as open_actionable_events,
        max(severity) as max_open_severity,
        min(opened_on) as oldest_open_on,
        {{ dbt.listagg(
            "event_name || ' (since ' || cast(opened_on as " ~ dbt.type_string() ~ ") || ')'",
            "'; '",
            "order by action_rank",
            listed_events,
        ) }} as open_event_names,
        max(case when action_rank = 1 then recommended_action end) as recommended_action,
        max(case when action_rank = 1 then event_name end) as action_event_name
    from ranked
    group by rollup_entity_type, rollup_entity_id
)

select * from final
