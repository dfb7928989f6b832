{#-
    Episode rules (docs/decisions.md):
    - a run of consecutive days on which the trigger holds opens an event on
      its persistence_days-th day (shorter runs are noise and open nothing);
    - the event stays one row while the condition holds and closes itself on
      the first day it does not (closed_on);
    - a new run whose opening day falls less than cooldown_days after the
      close joins the same event (it re-opens, same id) instead of opening a
      new one;
    - event_id is a hash of (definition, entity, opening day): rebuilds keep
      ids, so human actions (raw.event_actions) keep pointing at their event.

    A table, rebuilt on every run from the trigger days (docs/decisions.md
    D24): episodes depend on an entity's whole trigger history, and the days
    a trigger held are few.
-#}
{{ config(materialized='table') }}

with

int_event_definitions_typed as (
    select * from {{ ref('int_event_definitions_typed') }}
),

int_event_trigger_days as (
    select * from {{ ref('int_event_trigger_days') }}
),

-- read several times: scanned each time, not copied first (macro inline_cte)
indicator_values as {{ inline_cte() }} (
    select * from {{ ref('indicator_values') }}
),

stg_fleet__assets as (
    select * from {{ ref('stg_fleet__assets') }}
),

stg_collections__event_actions as (
    select * from {{ ref('stg_collections__event_actions') }}
),

active_definitions as (
    select * from int_event_definitions_typed
    where is_active
),

last_evaluated as (
    select
        event_definition_id,
        entity_id,
        max(period_date) as last_evaluated_on
    from int_event_trigger_days
    group by event_definition_id, entity_id
),

holding_days as (
    select
        event_definition_id,
        indicator_id,
        entity_type,
        entity_id,
        period_date,
        score,
        -- consecutive days share this date (gaps and islands)
        period_date - cast(row_number() over (
            partition by event_definition_id, entity_id order by period_date
        ) as integer) as island_key
    from int_event_trigger_days
    where condition_holds
),

islands as (
    select
        holding_days.event_definition_id,
        holding_days.indicator_id,
        holding_days.entity_type,
        holding_days.entity_id,
        min(holding_days.period_date) as island_start,
        max(holding_days.period_date) as island_end,
        count(*) as island_days,
        max(holding_days.score) as peak_score
    from holding_days
    group by
        holding_days.event_definition_id, holding_days.indicator_id, holding_days.entity_type,
        holding_days.entity_id, holding_days.island_key
),

qualified_islands as (
    -- runs long enough to open an event, with the day they open it
    select
        islands.*,
        islands.island_start + active_definitions.persistence_days - 1 as opens_on,
        active_definitions.cooldown_days
    from islands
    inner join active_definitions
        on islands.event_definition_id = active_definitions.event_definition_id
    where islands.island_days >= active_definitions.persistence_days
),

with_previous_run as (
    select
        qualified_islands.*,
        lag(qualified_islands.island_end) over (
            partition by qualified_islands.event_definition_id, qualified_islands.entity_id
            order by qualified_islands.island_start
        ) as previous_island_end
    from qualified_islands
),

episode_starts as (
    select
        with_previous_run.*,
        case
            when with_previous_run.previous_island_end is null then 1
            -- re-triggered within the cooldown after the close: same event
            when
                {{ days_between('with_previous_run.previous_island_end + 1', 'with_previous_run.opens_on') }}
                < with_previous_run.cooldown_days
                then 0
            else 1
        end as is_new_episode
    from with_previous_run
),

numbered as (
    select
        episode_starts.*,
        sum(episode_starts.is_new_episode) over (
            partition by episode_starts.event_definition_id, episode_starts.entity_id
            order by episode_starts.island_start
            rows between unbounded preceding and current row
        ) as episode_number
    from episode_starts
),

episodes as (
    select
        numbered.event_definition_id,
        numbered.indicator_id,
        numbered.entity_type,
        numbered.entity_id,
        min(numbered.opens_on) as opened_on,
        min(numbered.island_start) as first_triggered_on,
        max(numbered.island_end) as last_triggered_on,
        max(numbered.peak_score) as peak_score,
        count(*) as trigger_runs
    from numbered
    group by
        numbered.event_definition_id, numbered.indicator_id, numbered.entity_type,
        numbered.entity_id, numbered.episode_number
),

with_status as (
    select
        episodes.*,
        case when episodes.last_triggered_on < last_evaluated.last_evaluated_on then 'closed' else 'open' end
            as status,
        case
            when episodes.last_triggered_on < last_evaluated.last_evaluated_on
                then episodes.last_triggered_on + 1
        end as closed_on,
        case
            when episodes.last_triggered_on < last_evaluated.last_evaluated_on then episodes.last_triggered_on
            else last_evaluated.last_evaluated_on
        end as latest_on
    from episodes
    inner join last_evaluated
        on
            episodes.event_definition_id = last_evaluated.event_definition_id
            and episodes.entity_id = last_evaluated.entity_id
),

with_context as (
    select
        {{ hash_uuid([
            'with_status.event_definition_id', 'with_status.entity_type',
            'with_status.entity_id', 'with_status.opened_on']) }} as event_id,
        with_status.*,
        case
            when with_status.entity_type = 'account' then with_status.entity_id
            else stg_fleet__assets.account_id
        end as account_id,
        at_open.id as indicator_value_id,
        before_open.score as score_from,
        at_open.score as score_to,
        at_open.underlying_value as value_at_open,
        at_open.baseline_value as baseline_at_open,
        latest.score as latest_score,
        latest.underlying_value as latest_value,
        latest.baseline_value as latest_baseline,
        at_open.threshold_version as indicator_threshold_version,
        at_open.context as indicator_context_at_open
    from with_status
    left join stg_fleet__assets
        on
            with_status.entity_type = 'asset'
            and with_status.entity_id = stg_fleet__assets.asset_id
    left join indicator_values as at_open
        on
            with_status.indicator_id = at_open.indicator_id
            and with_status.entity_id = at_open.entity_id
            and with_status.opened_on = at_open.period_date
    left join indicator_values as before_open
        on
            with_status.indicator_id = before_open.indicator_id
            and with_status.entity_id = before_open.entity_id
            and with_status.first_triggered_on - 1 = before_open.period_date
    left join indicator_values as latest
        on
            with_status.indicator_id = latest.indicator_id
            and with_status.entity_id = latest.entity_id
            and with_status.latest_on = latest.period_date
),

actions as (
    {{ summarise_event_actions('stg_collections__event_actions') }}
),

final as (
    select
        with_context.event_id,
        with_context.event_definition_id,
        with_context.indicator_id,
        with_context.entity_type,
        with_context.entity_id,
        with_context.account_id,
        with_context.indicator_value_id,
        {{ local_midnight_utc('with_context.opened_on + 1') }} as triggered_at,
        with_context.opened_on,
        with_context.first_triggered_on,
        with_context.last_triggered_on,
        with_context.closed_on,
        with_context.status,
        {{ days_between('with_context.opened_on', 'coalesce(with_context.closed_on, with_context.latest_on + 1)') }}
            as duration_days,
        with_context.trigger_runs,
        with_context.peak_score,
        active_definitions.severity,
        active_definitions.is_actionable,
        active_definitions.recommended_action,
        with_context.latest_on,
        active_definitions.event_version,
        with_context.indicator_threshold_version,
        {{ json_build_object([
            "'event'", 'active_definitions.display_name',
            "'trigger'", 'active_definitions.trigger_description',
            "'indicator_id'", 'with_context.indicator_id',
            "'score_from'", 'with_context.score_from',
            "'score_to'", 'with_context.score_to',
            "'peak_score'", 'with_context.peak_score',
            "'value_at_open'", round_decimal('with_context.value_at_open', 6),
            "'baseline_at_open'", round_decimal('with_context.baseline_at_open', 6),
            "'latest_on'", 'cast(with_context.latest_on as ' ~ dbt.type_string() ~ ')',
            "'latest_score'", 'with_context.latest_score',
            "'latest_value'", round_decimal('with_context.latest_value', 6),
            "'latest_baseline'", round_decimal('with_context.latest_baseline', 6),
            "'recommended_action'", 'active_definitions.recommended_action',
            "'event_version'", 'active_definitions.event_version',
            "'threshold_version'", 'with_context.indicator_threshold_version',
            "'indicator_context_at_open'", json_value('with_context.indicator_context_at_open'),
        ]) }} as context,
        actions.acknowledged_at,
        actions.resolved_at,
        actions.outcome,
        actions.outcome_at,
        actions.notes,
        coalesce(actions.action_count, 0) as action_count,
        actions.last_action_at
    from with_context
    inner join active_definitions
        on with_context.event_definition_id = active_definitions.event_definition_id
    left join actions
        on with_context.event_id = actions.event_id
)

select * from final
