{#-
    The (event_definition_id, entity_id) pairs whose episodes `events`
    recomputes, as a query fragment. Full refresh: every pair with trigger
    days. Incremental: the pairs that
      (a) have a day on which the trigger held within the lookback,
      (b) have an open event, or one closed within the lookback,
      (c) belong to a definition whose event version is not in the table yet,
      (d) have an event with human actions (so new actions are joined in).
    Any other pair's episodes cannot have changed: they depend only on its
    trigger history, and nothing in it moved.

    trigger_days / definitions / actions: relations or CTEs
    (int_event_trigger_days, the active typed definitions, staged actions).
-#}
{% macro events_incremental_scope(trigger_days, definitions, actions, lookback) -%}
    {%- if is_incremental() %}
    select trigger_days.event_definition_id, trigger_days.entity_id
    from {{ trigger_days }} as trigger_days
    where
        trigger_days.condition_holds
        and trigger_days.period_date >= (select max(watermark.latest_on) from {{ this }} as watermark) - {{ lookback }}
    union
    select existing.event_definition_id, existing.entity_id
    from {{ this }} as existing
    where
        existing.closed_on is null
        or existing.closed_on >= (select max(watermark.latest_on) from {{ this }} as watermark) - {{ lookback }}
    union
    select trigger_days.event_definition_id, trigger_days.entity_id
    from {{ trigger_days }} as trigger_days
    inner join {{ definitions }} as definitions
        on trigger_days.event_definition_id = definitions.event_definition_id
    where not exists (
        select 1
        from {{ this }} as existing
        where
            existing.event_definition_id = definitions.event_definition_id
            and existing.event_version = definitions.event_version
    )
    union
    select existing.event_definition_id, existing.entity_id
    from {{ this }} as existing
    inner join {{ actions }} as actions
        on existing.event_id = actions.event_id
    {%- else %}
    select distinct trigger_days.event_definition_id, trigger_days.entity_id
    from {{ trigger_days }} as trigger_days
    {%- endif %}
{%- endmacro %}
