{#-
    One row per event_id with the human actions on it, as a query fragment:
    first acknowledgement, last resolution, the latest outcome (and when), all notes in
    order, how many actions and when the last one was taken.

    actions: a relation or CTE shaped like stg_collections__event_actions.
-#}
{% macro summarise_event_actions(actions) -%}
    select
        actions.event_id,
        min(case when actions.action_type = 'acknowledge' then actions.acted_at end) as acknowledged_at,
        max(case when actions.action_type = 'resolve' then actions.acted_at end) as resolved_at,
        max(case when actions.outcome_rank = 1 then actions.outcome end) as outcome,
        max(case when actions.outcome_rank = 1 and actions.outcome is not null then actions.acted_at end) as outcome_at,
        {{ string_agg_ordered(
            "case when actions.note is not null then coalesce(actions.actor, '?') || ': ' || actions.note end",
            "' | '", 'actions.acted_at, actions.event_action_id'
        ) }} as notes,
        count(*) as action_count,
        max(actions.acted_at) as last_action_at
    from (
        select
            ranked.*,
            row_number() over (
                partition by ranked.event_id
                order by case when ranked.outcome is not null then 0 else 1 end, ranked.acted_at desc,
                    ranked.event_action_id desc
            ) as outcome_rank
        from {{ actions }} as ranked
    ) as actions
    group by actions.event_id
{%- endmacro %}
