{#-
    One row per indicator: its definition and the parameters of its scoring
    method (the typed rules seeds joined on indicator_id), plus its threshold
    version.
-#}
{%- set number_columns = [
    'cut_2', 'cut_3', 'cut_4', 'cut_5', 'top_reasons',
    'window_days', 'baseline_gap_days', 'min_history_days', 'outlier_mad_cut',
    'z_cut_2', 'z_cut_3', 'z_cut_4', 'z_cut_5', 'abs_noise_floor', 'rel_noise_floor',
    'horizon_days', 'band_2', 'band_3', 'band_4', 'band_5',
] %}
with

indicator_definitions as (
    select * from {{ ref('indicator_definitions') }}
),

indicator_static_rules as (
    select * from {{ ref('indicator_static_rules') }}
),

indicator_std_dev_rules as (
    select * from {{ ref('indicator_std_dev_rules') }}
),

indicator_ml_bands as (
    select * from {{ ref('indicator_ml_bands') }}
),

joined as (
    select
        indicator_definitions.indicator_id,
        indicator_definitions.display_name,
        indicator_definitions.description,
        indicator_definitions.metric_name,
        indicator_definitions.entity_type,
        indicator_definitions.aggregation_type,
        indicator_definitions.scoring_method,
        indicator_definitions.direction,
        cast(indicator_definitions.weight as {{ dbt.type_float() }}) as weight,
        indicator_definitions.is_active,
        cast(indicator_static_rules.cut_2 as {{ dbt.type_float() }}) as cut_2,
        cast(indicator_static_rules.cut_3 as {{ dbt.type_float() }}) as cut_3,
        cast(indicator_static_rules.cut_4 as {{ dbt.type_float() }}) as cut_4,
        cast(indicator_static_rules.cut_5 as {{ dbt.type_float() }}) as cut_5,
        cast(indicator_std_dev_rules.z_cut_2 as {{ dbt.type_float() }}) as z_cut_2,
        cast(indicator_std_dev_rules.z_cut_3 as {{ dbt.type_float() }}) as z_cut_3,
        cast(indicator_std_dev_rules.z_cut_4 as {{ dbt.type_float() }}) as z_cut_4,
        cast(indicator_std_dev_rules.z_cut_5 as {{ dbt.type_float() }}) as z_cut_5,
        cast(indicator_ml_bands.band_2 as {{ dbt.type_float() }}) as band_2,
        cast(indicator_ml_bands.band_3 as {{ dbt.type_float() }}) as band_3,
        cast(indicator_ml_bands.band_4 as {{ dbt.type_float() }}) as band_4,
        cast(indicator_ml_bands.band_5 as {{ dbt.type_float() }}) as band_5,
        cast(indicator_std_dev_rules.abs_noise_floor as {{ dbt.type_float() }}) as abs_noise_floor,
        cast(indicator_std_dev_rules.rel_noise_floor as {{ dbt.type_float() }}) as rel_noise_floor,
        cast(indicator_std_dev_rules.outlier_mad_cut as {{ dbt.type_float() }}) as outlier_mad_cut,
        cast(indicator_std_dev_rules.window_days as integer) as window_days,
        cast(indicator_std_dev_rules.baseline_gap_days as integer) as baseline_gap_days,
        cast(indicator_std_dev_rules.min_history_days as integer) as min_history_days,
        cast(indicator_ml_bands.horizon_days as integer) as horizon_days,
        cast(indicator_static_rules.top_reasons as integer) as top_reasons,
        indicator_std_dev_rules.statistic,
        indicator_std_dev_rules.seasonality
    from indicator_definitions
    left join indicator_static_rules
        on
            indicator_definitions.indicator_id = indicator_static_rules.indicator_id
            and indicator_definitions.scoring_method = 'static_rules'
    left join indicator_std_dev_rules
        on
            indicator_definitions.indicator_id = indicator_std_dev_rules.indicator_id
            and indicator_definitions.scoring_method = 'std_dev'
    left join indicator_ml_bands
        on
            indicator_definitions.indicator_id = indicator_ml_bands.indicator_id
            and indicator_definitions.scoring_method = 'ml_model'
),

versioned as (
    select
        *,
        -- everything its rows depend on: metric, method, direction, name shown, parameters
        -- (numbers as decimal(18, 6) text: the same on every engine)
        indicator_id
        || '|' || coalesce(metric_name, '')
        || '|' || entity_type
        || '|' || scoring_method
        || '|' || direction
        || '|' || coalesce(display_name, '')
        {%- for c in number_columns %}
        || '|' || coalesce(cast(cast({{ c }} as decimal(18, 6)) as {{ dbt.type_string() }}), '')
        {%- endfor %}
        || '|' || coalesce(statistic, '')
        || '|' || coalesce(seasonality, '') as version_text
    from joined
),

composite_inputs as (
    -- the composite also changes when a contributing indicator, or its weight, changes
    select
        {{ string_agg_ordered(
            "indicator_id || '=' || cast(cast(weight as decimal(18, 6)) as " ~ dbt.type_string()
            ~ ") || '@' || md5(version_text)", "';'", 'indicator_id'
        ) }} as inputs_text
    from versioned
    where is_active and aggregation_type = 'atomic' and scoring_method != 'ml_model' and weight > 0
),

final as (
    select
        versioned.indicator_id,
        versioned.display_name,
        versioned.description,
        versioned.metric_name,
        versioned.entity_type,
        versioned.aggregation_type,
        versioned.scoring_method,
        versioned.direction,
        versioned.weight,
        versioned.is_active,
        versioned.cut_2,
        versioned.cut_3,
        versioned.cut_4,
        versioned.cut_5,
        versioned.z_cut_2,
        versioned.z_cut_3,
        versioned.z_cut_4,
        versioned.z_cut_5,
        versioned.band_2,
        versioned.band_3,
        versioned.band_4,
        versioned.band_5,
        versioned.abs_noise_floor,
        versioned.rel_noise_floor,
        versioned.outlier_mad_cut,
        versioned.window_days,
        versioned.baseline_gap_days,
        versioned.min_history_days,
        versioned.horizon_days,
        versioned.top_reasons,
        versioned.statistic,
        versioned.seasonality,
        substr(md5(
            versioned.version_text
            || case
                when versioned.aggregation_type = 'composite'
                    then '|' || coalesce(composite_inputs.inputs_text, '')
                else ''
            end
        ), 1, 12) as threshold_version
    from versioned
    cross join composite_inputs
)

select * from final
