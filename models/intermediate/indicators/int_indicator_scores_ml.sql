{#-
    Off until the ML scores exist: with var `ml_indicators_enabled` false (the
    default) this model has no rows and no dependency on the ML models, so the
    DAG builds without them. Set it true (dbt_project.yml or --vars) once
    `ml_delinquency_scores` (account_id, as_of_date, horizon_days, probability,
    model_name, model_version, top_reasons) is built. This model never feeds the
    ML features (they read int_indicator_scores_rules), so there is no cycle.
-#}
{{ config(**incremental_config(
    ['indicator_id', 'period_date'], definitions='int_indicator_parameters_typed', day_column='period_date'
)) }}

{%- set enabled = var('ml_indicators_enabled', false) %}

with

int_indicator_parameters_typed as (
    select * from {{ ref('int_indicator_parameters_typed') }}
),

ml_indicators as (
    select *
    from int_indicator_parameters_typed
    where is_active and scoring_method = 'ml_model'
),

{%- if enabled %}

ml_delinquency_scores as (
    select * from {{ ref(var('ml_scores_model', 'ml_delinquency_scores')) }}
),

probabilities as (
    select
        ml_indicators.indicator_id,
        ml_delinquency_scores.account_id as entity_id,
        ml_delinquency_scores.as_of_date as period_date,
        cast(ml_delinquency_scores.probability as {{ dbt.type_float() }}) as probability,
        ml_delinquency_scores.model_name || ' ' || ml_delinquency_scores.model_version as model_version,
        ml_delinquency_scores.top_reasons
    from ml_delinquency_scores
    inner join ml_indicators
        on ml_delinquency_scores.horizon_days = ml_indicators.horizon_days
    where {{ incremental_rescore_filter(
        'ml_delinquency_scores.as_of_date', 'ml_indicators.indicator_id', 'ml_indicators',
        'period_date', 'indicator_id', 'threshold_version') }}
),

{%- else %}

probabilities as (
    select
        cast(null as {{ dbt.type_string() }}) as indicator_id,
        cast(null as {{ type_uuid() }}) as entity_id,
        cast(null as date) as period_date,
        cast(null as {{ dbt.type_float() }}) as probability,
        cast(null as {{ dbt.type_string() }}) as model_version,
        cast(null as {{ dbt.type_string() }}) as top_reasons
    where 1 = 0
),

{%- endif %}

final as (
    select
        probabilities.indicator_id,
        'account' as entity_type,
        probabilities.entity_id,
        probabilities.period_date,
        case when probabilities.probability is null then 'no_value' else 'scored' end as status,
        {{ score_ml_band(
            'probabilities.probability',
            'ml_indicators.band_2', 'ml_indicators.band_3', 'ml_indicators.band_4', 'ml_indicators.band_5') }}
            as score,
        probabilities.probability as underlying_value,
        'probability' as cut_kind,
        ml_indicators.band_2 as cut_2,
        ml_indicators.band_3 as cut_3,
        ml_indicators.band_4 as cut_4,
        ml_indicators.band_5 as cut_5,
        probabilities.model_version,
        probabilities.top_reasons,
        ml_indicators.threshold_version
    from probabilities
    inner join ml_indicators
        on probabilities.indicator_id = ml_indicators.indicator_id
)

select * from final
