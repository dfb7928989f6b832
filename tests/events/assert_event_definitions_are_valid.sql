{#-
    Seed check for seeds/event_definitions.csv. Every bad row is named in the
    error: duplicate id, unknown or inactive indicator, unknown trigger type,
    text where a number belongs, trigger value / comparison days / persistence
    / cooldown / severity out of range, flags that are not true/false, an
    actionable event without a recommended action.
-#}
{{ config(tags=['seed_check']) }}

with

event_definitions as (
    select * from {{ ref('event_definitions') }}
),

indicator_definitions as (
    select * from {{ ref('indicator_definitions') }}
),

checked as (
    select
        event_definitions.*,
        'event_definitions row ' || coalesce(nullif(trim(event_definitions.event_definition_id), ''), '(blank id)')
        || ': ' as row_label,
        count(*) over (partition by trim(event_definitions.event_definition_id)) as id_count,
        trim(indicator_definitions.indicator_id) as known_indicator,
        lower(trim(indicator_definitions.is_active)) = 'true' as indicator_is_active,
        trim(event_definitions.trigger_type) as trigger_kind
    from event_definitions
    left join indicator_definitions
        on trim(event_definitions.indicator_id) = trim(indicator_definitions.indicator_id)
),

integer_columns as (
    {%- set columns = [
        ('trigger_value', 'true', 1, 5),
        ('comparison_days', "trigger_kind in ('delta', 'trend')", 1, 365),
        ('persistence_days', 'true', 1, 365),
        ('cooldown_days', 'true', 0, 365),
        ('severity', 'true', 1, 5),
    ] %}
    {%- for name, applies, low, high in columns %}
    select
        row_label,
        '{{ name }}' as column_name,
        {{ name }} as column_value,
        {{ applies }} as is_required,
        {{ low }} as min_value,
        {{ high }} as max_value
    from checked
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

problems as (
    select row_label || 'event_definition_id is blank' as problem
    from checked
    where coalesce(trim(event_definition_id), '') = ''
    union all
    select row_label || 'event_definition_id appears ' || cast(id_count as {{ dbt.type_string() }}) || ' times'
    from checked
    where id_count > 1
    union all
    select row_label || 'unknown indicator_id ' || {{ quote_value('indicator_id') }}
    from checked
    where known_indicator is null
    union all
    select
        row_label || 'indicator ' || {{ quote_value('indicator_id') }}
        || ' is not active (deactivate the event too, or activate the indicator)'
    from checked
    where
        known_indicator is not null and not coalesce(indicator_is_active, false)
        and lower(trim(is_active)) = 'true'
    union all
    select
        row_label || 'trigger_type ' || {{ quote_value('trigger_type') }}
        || ' is not one of threshold, delta, trend'
    from checked
    where coalesce(trigger_kind, '') not in ('threshold', 'delta', 'trend')
    union all
    select row_label || column_name || ' ' || {{ quote_value('column_value') }} || ' is not a whole number'
    from integer_columns
    where
        (is_required or coalesce(trim(column_value), '') != '')
        and not {{ text_is_integer('column_value') }}
    union all
    select
        row_label || column_name || ' ' || {{ quote_value('column_value') }} || ' is outside '
        || cast(min_value as {{ dbt.type_string() }}) || '..' || cast(max_value as {{ dbt.type_string() }})
    from integer_columns
    where
        {{ text_is_integer('column_value') }}
        and ({{ text_to_number('column_value') }} < min_value or {{ text_to_number('column_value') }} > max_value)
    union all
    select
        row_label || 'trigger_value ' || {{ quote_value('trigger_value') }} || ' is more than a '
        || trigger_kind || ' trigger allows (' || case trigger_kind when 'threshold' then '5' else '4' end || ')'
    from checked
    where
        trigger_kind in ('delta', 'trend') and {{ text_to_number('trigger_value') }} > 4
    union all
    select row_label || 'is_actionable ' || {{ quote_value('is_actionable') }} || ' is not true or false'
    from checked
    where coalesce(lower(trim(is_actionable)), '') not in ('true', 'false')
    union all
    select row_label || 'is_active ' || {{ quote_value('is_active') }} || ' is not true or false'
    from checked
    where coalesce(lower(trim(is_active)), '') not in ('true', 'false')
    union all
    select row_label || 'an actionable event needs a recommended_action'
    from checked
    where lower(trim(is_actionable)) = 'true' and coalesce(trim(recommended_action), '') = ''
)

{{ raise_seed_problems('problems', 'event_definitions') }}
