{#-
    pre_hook for the incremental indicator and event models: on an incremental
    run, delete the rows of definitions that are no longer active (or no longer
    exist), so the table equals a full refresh. Renders to nothing on a full
    refresh or first build.

    key_col: the definition key in {{ this }} (indicator_id / event_definition_id).
    definitions_model: the typed definitions model with `key_col` and is_active.
-#}
{% macro delete_inactive_rows(key_col, definitions_model) -%}
    {%- if is_incremental() -%}
    delete from {{ this }}
    where {{ key_col }} not in (
        select active.{{ key_col }} from {{ ref(definitions_model) }} as active where active.is_active
    )
    {%- endif -%}
{%- endmacro %}
