with

event_actions as (
    select * from {{ source('collections', 'event_actions') }}
),

renamed as (
    select
        id as event_action_id,
        event_id,
        lower(trim(action_type)) as action_type,
        lower(trim(outcome)) as outcome,
        note,
        actor,
        acted_at,
        created_at
    from event_actions
)

select * from renamed
