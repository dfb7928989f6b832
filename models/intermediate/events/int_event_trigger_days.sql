{#-
    Episodes (persistence, cooldown) are built from these rows in `events`.
    Incremental like the indicator models: the lookback days, plus the whole
    history of a definition whose event version changed.
-#}
{{ config(**incremental_config(
    ['event_definition_id', 'period_date'], definitions='int_event_definitions_typed', day_column='period_date'
)) }}
{#- PostgreSQL: the trend score lookup hash-joins on (indicator, entity, date);
    with merge joins allowed it sorts both sides first (6 s -> 9 s, D27) -#}
{{ config(pre_hook="{{ no_merge_joins() }}") }}

with

int_event_definitions_typed as (
    select * from {{ ref('int_event_definitions_typed') }}
),

-- read several times: scanned each time, not copied first (macro inline_cte)
indicator_values as {{ inline_cte() }} (
    select * from {{ ref('indicator_values') }}
),

active_definitions as (
    select * from int_event_definitions_typed
    where is_active
),

current_days as (
    select
        active_definitions.event_definition_id,
        active_definitions.trigger_type,
        active_definitions.trigger_value,
        active_definitions.comparison_days,
        active_definitions.event_version,
        indicator_values.id as indicator_value_id,
        indicator_values.indicator_id,
        indicator_values.entity_type,
        indicator_values.entity_id,
        indicator_values.period_date,
        indicator_values.score
    from indicator_values
    inner join active_definitions
        on indicator_values.indicator_id = active_definitions.indicator_id
    where {{ incremental_rescore_filter(
        'indicator_values.period_date', 'active_definitions.event_definition_id', 'active_definitions',
        'period_date', 'event_definition_id', 'event_version') }}
),

with_previous as (
    -- the score one comparison period earlier (delta and trend triggers)
    select
        current_days.*,
        earlier.score as previous_score
    from current_days
    left join indicator_values as earlier
        on
            current_days.trigger_type in ('delta', 'trend')
            and current_days.indicator_id = earlier.indicator_id
            and current_days.entity_id = earlier.entity_id
            and earlier.period_date = current_days.period_date - current_days.comparison_days
),

trend_definitions as (
    select * from active_definitions
    where trigger_type = 'trend'
),

periods_back as (
    -- trend triggers compare up to 4 periods: scores 0..4 periods back
    {%- for n in range(5) %}
    select {{ n }} as periods_back
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

trend_lookups as {{ materialized_cte() }} (
    -- for trend triggers: each scored day with the dates of the scores it compares,
    -- so the one score lookup below joins on (indicator, entity, date). Fenced on
    -- PostgreSQL, which otherwise joined every score of the entity and filtered the
    -- dates after (43 M pairs at 450 vehicles; docs/decisions.md D27)
    select
        current_days.event_definition_id,
        current_days.indicator_id,
        current_days.entity_id,
        current_days.period_date,
        trend_definitions.trigger_value,
        periods_back.periods_back,
        current_days.period_date - periods_back.periods_back * trend_definitions.comparison_days as lookup_date
    from current_days
    inner join trend_definitions
        on current_days.event_definition_id = trend_definitions.event_definition_id
    inner join periods_back
        on trend_definitions.trigger_value >= periods_back.periods_back
),

trend_scores as (
    -- every looked-up date keeps its row (null score when there is none), so the
    -- next row back is always exactly one period earlier
    select
        trend_lookups.event_definition_id,
        trend_lookups.entity_id,
        trend_lookups.period_date,
        trend_lookups.trigger_value,
        trend_lookups.periods_back,
        indicator_values.score,
        lead(indicator_values.score) over (
            partition by trend_lookups.event_definition_id, trend_lookups.entity_id, trend_lookups.period_date
            order by trend_lookups.periods_back
        ) as earlier_score
    from trend_lookups
    left join indicator_values
        on
            trend_lookups.indicator_id = indicator_values.indicator_id
            and trend_lookups.entity_id = indicator_values.entity_id
            and trend_lookups.lookup_date = indicator_values.period_date
),

trend_rises as (
    -- for trend triggers: in how many of the last trigger_value periods the score rose
    select
        event_definition_id,
        entity_id,
        period_date,
        count(*) as rises
    from trend_scores
    where
        periods_back < trigger_value
        and score > earlier_score
    group by event_definition_id, entity_id, period_date
),

evaluated as (
    select
        with_previous.event_definition_id,
        with_previous.indicator_id,
        with_previous.entity_type,
        with_previous.entity_id,
        with_previous.period_date,
        with_previous.indicator_value_id,
        with_previous.score,
        with_previous.previous_score,
        coalesce(trend_rises.rises, 0) as trend_rises,
        case with_previous.trigger_type
            when 'threshold' then {{ detect_threshold_events('with_previous.score', 'with_previous.trigger_value') }}
            when 'delta' then {{ detect_delta_events(
                'with_previous.score', 'with_previous.previous_score', 'with_previous.trigger_value') }}
            when 'trend' then {{ detect_trend_events('trend_rises.rises', 'with_previous.trigger_value') }}
            else false
        end as condition_holds,
        with_previous.event_version
    from with_previous
    left join trend_rises
        on
            with_previous.event_definition_id = trend_rises.event_definition_id
            and with_previous.entity_id = trend_rises.entity_id
            and with_previous.period_date = trend_rises.period_date
)

select * from evaluated
