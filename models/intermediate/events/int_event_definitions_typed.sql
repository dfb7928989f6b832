{#-
    One row per event definition: the typed seed, the trigger described in
    words, and the event version (md5 of the trigger parameters and of the
    indicator's threshold version).
-#}
with

event_definitions as (
    select * from {{ ref('event_definitions') }}
),

int_indicator_parameters_typed as (
    select * from {{ ref('int_indicator_parameters_typed') }}
),

typed as (
    select
        event_definition_id,
        display_name,
        description,
        indicator_id,
        trigger_type,
        trigger_value,
        comparison_days,
        persistence_days,
        cooldown_days,
        severity,
        is_actionable,
        recommended_action,
        is_active as is_active_in_seed,
        event_definition_id
        || '|' || indicator_id
        || '|' || trigger_type
        {%- for c in ['trigger_value', 'comparison_days', 'persistence_days', 'cooldown_days', 'severity'] %}
        || '|' || coalesce(cast({{ c }} as {{ dbt.type_string() }}), '')
        {%- endfor %}
        || '|' || case when is_actionable then 'true' else 'false' end
        || '|' || coalesce(display_name, '')
        || '|' || coalesce(recommended_action, '') as version_text
    from event_definitions
),

final as (
    select
        typed.event_definition_id,
        typed.display_name,
        typed.description,
        typed.indicator_id,
        int_indicator_parameters_typed.entity_type,
        typed.trigger_type,
        typed.trigger_value,
        typed.comparison_days,
        typed.persistence_days,
        typed.cooldown_days,
        typed.severity,
        typed.is_actionable,
        typed.recommended_action,
        -- an event of an inactive indicator cannot fire
        typed.is_active_in_seed and coalesce(int_indicator_parameters_typed.is_active, false) as is_active,
        case typed.trigger_type
            when 'threshold'
                then 'score >= ' || cast(typed.trigger_value as {{ dbt.type_string() }})
            when 'delta'
                then
                    'score up by >= ' || cast(typed.trigger_value as {{ dbt.type_string() }})
                    || ' against ' || cast(typed.comparison_days as {{ dbt.type_string() }}) || ' days before'
            when 'trend'
                then
                    'score up in each of the last ' || cast(typed.trigger_value as {{ dbt.type_string() }})
                    || ' periods of ' || cast(typed.comparison_days as {{ dbt.type_string() }}) || ' days'
        end
        || case
            when typed.persistence_days > 1
                then ', for ' || cast(typed.persistence_days as {{ dbt.type_string() }}) || ' days in a row'
            else ''
        end as trigger_description,
        int_indicator_parameters_typed.threshold_version as indicator_threshold_version,
        substr(md5(typed.version_text || '|' || coalesce(int_indicator_parameters_typed.threshold_version, '')), 1, 12)
            as event_version
    from typed
    left join int_indicator_parameters_typed
        on typed.indicator_id = int_indicator_parameters_typed.indicator_id
)

select * from final
