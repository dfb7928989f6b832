{{ config(**incremental_config(
    ['indicator_id', 'period_date'], definitions='int_indicator_parameters_typed', day_column='period_date'
)) }}

with

int_indicator_inputs as (
    select * from {{ ref('int_indicator_inputs') }}
),

int_indicator_parameters_typed as (
    select * from {{ ref('int_indicator_parameters_typed') }}
),

int_indicator_baselines as (
    select * from {{ ref('int_indicator_baselines') }}
),

atomic_indicators as (
    select *
    from int_indicator_parameters_typed
    where is_active and aggregation_type = 'atomic' and scoring_method in ('static_rules', 'std_dev')
),

inputs as (
    select
        int_indicator_inputs.indicator_id,
        int_indicator_inputs.entity_type,
        int_indicator_inputs.entity_id,
        int_indicator_inputs.metric_date as period_date,
        cast(int_indicator_inputs.value as {{ dbt.type_float() }}) as underlying_value,
        atomic_indicators.scoring_method,
        atomic_indicators.direction,
        atomic_indicators.weight,
        atomic_indicators.min_history_days,
        atomic_indicators.abs_noise_floor,
        atomic_indicators.rel_noise_floor,
        atomic_indicators.threshold_version,
        case
            when atomic_indicators.scoring_method = 'std_dev' then atomic_indicators.z_cut_2
            else atomic_indicators.cut_2
        end as cut_2,
        case
            when atomic_indicators.scoring_method = 'std_dev' then atomic_indicators.z_cut_3
            else atomic_indicators.cut_3
        end as cut_3,
        case
            when atomic_indicators.scoring_method = 'std_dev' then atomic_indicators.z_cut_4
            else atomic_indicators.cut_4
        end as cut_4,
        case
            when atomic_indicators.scoring_method = 'std_dev' then atomic_indicators.z_cut_5
            else atomic_indicators.cut_5
        end as cut_5
    from int_indicator_inputs
    inner join atomic_indicators
        on int_indicator_inputs.indicator_id = atomic_indicators.indicator_id
    where {{ incremental_rescore_filter(
        'int_indicator_inputs.metric_date', 'int_indicator_inputs.indicator_id', 'atomic_indicators',
        'period_date', 'indicator_id', 'threshold_version') }}
),

with_baselines as (
    select
        inputs.*,
        int_indicator_baselines.baseline_value,
        int_indicator_baselines.baseline_spread,
        int_indicator_baselines.history_days,
        int_indicator_baselines.baseline_days
    from inputs
    left join int_indicator_baselines
        on
            inputs.indicator_id = int_indicator_baselines.indicator_id
            and inputs.entity_id = int_indicator_baselines.entity_id
            and inputs.period_date = int_indicator_baselines.metric_date
),

scored as (
    select
        *,
        case
            when scoring_method = 'static_rules'
                then {{ score_static('underlying_value', 'cut_2', 'cut_3', 'cut_4', 'cut_5', 'direction') }}
            when scoring_method = 'std_dev'
                then {{ score_std_dev(
                    'underlying_value', 'baseline_value', 'baseline_spread', 'history_days', 'min_history_days',
                    'cut_2', 'cut_3', 'cut_4', 'cut_5', 'abs_noise_floor', 'rel_noise_floor', 'direction') }}
        end as score,
        case
            when scoring_method = 'std_dev' and coalesce(history_days, 0) >= min_history_days
                then {{ round_float(std_dev_z(
                    'underlying_value', 'baseline_value', 'baseline_spread',
                    'abs_noise_floor', 'rel_noise_floor', 'direction')) }}
        end as z_score
    from with_baselines
),

final as (
    select
        indicator_id,
        entity_type,
        entity_id,
        period_date,
        case
            when underlying_value is null then 'no_value'
            when score is null and scoring_method = 'std_dev' then 'insufficient_history'
            when score is null then 'not_scored'
            else 'scored'
        end as status,
        score,
        underlying_value,
        case when scoring_method = 'std_dev' then baseline_value end as baseline_value,
        case when scoring_method = 'std_dev' then baseline_spread end as baseline_spread,
        z_score,
        case when scoring_method = 'std_dev' then coalesce(history_days, 0) end as history_days,
        case when scoring_method = 'std_dev' then 'z' else 'value' end as cut_kind,
        cut_2,
        cut_3,
        cut_4,
        cut_5,
        weight,
        threshold_version
    from scored
)

select * from final
