{#-
    pre_hook of `events` on an incremental run: delete the events of
    definitions that are no longer active, and the events written under an
    event version that is no longer current (their definition is then rebuilt
    whole, see events_incremental_scope). Nothing on a full refresh.
-#}
{% macro delete_stale_event_rows(definitions_model) -%}
    {%- if is_incremental() -%}
    delete from {{ this }} as stale
    where not exists (
        select 1
        from {{ ref(definitions_model) }} as current_definitions
        where
            current_definitions.is_active
            and current_definitions.event_definition_id = stale.event_definition_id
            and current_definitions.event_version = stale.event_version
    )
    {%- endif -%}
{%- endmacro %}
