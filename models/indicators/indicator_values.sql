{{ config(**incremental_config(
    ['indicator_id', 'period_date'], definitions='int_indicator_parameters_typed', day_column='period_date'
)) }}

with

int_indicator_parameters_typed as (
    select * from {{ ref('int_indicator_parameters_typed') }}
),

int_indicator_scores_atomic as (
    select * from {{ ref('int_indicator_scores_atomic') }}
),

int_indicator_scores_composite as (
    select * from {{ ref('int_indicator_scores_composite') }}
),

int_indicator_scores_ml as (
    select * from {{ ref('int_indicator_scores_ml') }}
),

active_indicators as (
    select * from int_indicator_parameters_typed
    where is_active
),

unioned as (
    select
        indicator_id,
        entity_type,
        entity_id,
        period_date,
        status,
        score,
        underlying_value,
        baseline_value,
        baseline_spread,
        z_score,
        history_days,
        cast(null as integer) as indicators_scored,
        cut_kind,
        cut_2,
        cut_3,
        cut_4,
        cut_5,
        cast(null as {{ type_json() }}) as reasons,
        cast(null as {{ dbt.type_string() }}) as model_version,
        threshold_version
    from int_indicator_scores_atomic
    union all
    select
        indicator_id,
        entity_type,
        entity_id,
        period_date,
        status,
        score,
        underlying_value,
        cast(null as {{ dbt.type_float() }}) as baseline_value,
        cast(null as {{ dbt.type_float() }}) as baseline_spread,
        cast(null as {{ dbt.type_float() }}) as z_score,
        cast(null as integer) as history_days,
        cast(indicators_scored as integer) as indicators_scored,
        cut_kind,
        cut_2,
        cut_3,
        cut_4,
        cut_5,
        reasons,
        cast(null as {{ dbt.type_string() }}) as model_version,
        threshold_version
    from int_indicator_scores_composite
    union all
    select
        indicator_id,
        entity_type,
        entity_id,
        period_date,
        status,
        score,
        underlying_value,
        cast(null as {{ dbt.type_float() }}) as baseline_value,
        cast(null as {{ dbt.type_float() }}) as baseline_spread,
        cast(null as {{ dbt.type_float() }}) as z_score,
        cast(null as integer) as history_days,
        cast(null as integer) as indicators_scored,
        cut_kind,
        cut_2,
        cut_3,
        cut_4,
        cut_5,
        {{ json_build_object(["'top_reasons'", 'top_reasons']) }} as reasons,
        model_version,
        threshold_version
    from int_indicator_scores_ml
),

selected as (
    select unioned.*
    from unioned
    where {{ incremental_rescore_filter(
        'unioned.period_date', 'unioned.indicator_id', 'active_indicators',
        'period_date', 'indicator_id', 'threshold_version') }}
),

final as (
    select
        {{ hash_uuid(['selected.indicator_id', 'selected.entity_type', 'selected.entity_id', 'selected.period_date']) }}
            as id,
        selected.indicator_id,
        selected.entity_type,
        selected.entity_id,
        cast(selected.score as integer) as score,
        selected.status,
        cast(selected.underlying_value as {{ dbt.type_numeric() }}) as underlying_value,
        selected.period_date,
        {{ local_midnight_utc('selected.period_date') }} as period_start,
        {{ local_midnight_utc('selected.period_date + 1') }} as period_end,
        selected.baseline_value,
        selected.z_score,
        selected.threshold_version,
        {{ json_build_object([
            "'indicator'", 'active_indicators.display_name',
            "'method'", 'active_indicators.scoring_method',
            "'metric'", 'active_indicators.metric_name',
            "'direction'", 'active_indicators.direction',
            "'status'", 'selected.status',
            "'value'", round_decimal('selected.underlying_value', 6),
            "'baseline'", round_decimal('selected.baseline_value', 6),
            "'spread'", round_decimal('selected.baseline_spread', 6),
            "'z'", round_decimal('selected.z_score', 6),
            "'history_days'", 'selected.history_days',
            "'indicators_scored'", 'selected.indicators_scored',
            "'cut_kind'", 'selected.cut_kind',
            "'cut_points'", json_build_object([
                "'2'", round_decimal('selected.cut_2', 6),
                "'3'", round_decimal('selected.cut_3', 6),
                "'4'", round_decimal('selected.cut_4', 6),
                "'5'", round_decimal('selected.cut_5', 6),
            ]),
            "'reasons'", json_value('selected.reasons'),
            "'model_version'", 'selected.model_version',
            "'threshold_version'", 'selected.threshold_version',
        ]) }} as context,
        current_timestamp as computed_at,
        '{{ invocation_id }}' as pipeline_run_id
    from selected
    inner join active_indicators
        on selected.indicator_id = active_indicators.indicator_id
)

select * from final
