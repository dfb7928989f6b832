{#-
    One row per indicator: its definition and every scoring parameter as a typed
    column (defaults filled in), plus its threshold version. The only place the
    text seeds are cast: scoring models read these columns, never the seeds.
    A text value that is not a number becomes null here (and the seed checks in
    tests/indicators fail the build naming the row before anything is scored).
-#}
with

indicator_definitions as (
    select * from {{ ref('indicator_definitions') }}
),

indicator_parameters as (
    select * from {{ ref('indicator_parameters') }}
),

parameter_catalog as (
    {{ indicator_parameter_catalog() }}
),

definitions as (
    select
        trim(indicator_id) as indicator_id,
        display_name,
        description,
        nullif(trim(metric_name), '') as metric_name,
        trim(entity_type) as entity_type,
        trim(aggregation_type) as aggregation_type,
        trim(scoring_method) as scoring_method,
        trim(direction) as direction,
        case
            when {{ text_is_number('weight') }} then cast(trim(weight) as {{ dbt.type_float() }})
        end as weight,
        trim(weight) as weight_text,
        coalesce(lower(trim(is_active)) = 'true', false) as is_active,
        case
            when trim(aggregation_type) = 'composite' then 'composite' else trim(scoring_method)
        end as parameter_set
    from indicator_definitions
),

parameter_values as (
    select
        definitions.indicator_id,
        parameter_catalog.parameter_name,
        parameter_catalog.kind,
        coalesce(trim(indicator_parameters.parameter_value), parameter_catalog.default_value) as parameter_value
    from definitions
    inner join parameter_catalog
        on definitions.parameter_set = parameter_catalog.parameter_set
    left join indicator_parameters
        on
            definitions.indicator_id = trim(indicator_parameters.indicator_id)
            and parameter_catalog.parameter_name = trim(indicator_parameters.parameter_name)
),

typed_values as (
    select
        indicator_id,
        parameter_name,
        parameter_value,
        case
            when kind = 'number' and {{ text_is_number('parameter_value') }}
                then cast(parameter_value as {{ dbt.type_float() }})
        end as number_value,
        case when kind = 'text' then lower(parameter_value) end as text_value
    from parameter_values
),

pivoted as (
    select
        indicator_id,
        {%- for p in ['cut_2', 'cut_3', 'cut_4', 'cut_5', 'z_cut_2', 'z_cut_3', 'z_cut_4', 'z_cut_5',
                      'band_2', 'band_3', 'band_4', 'band_5', 'abs_noise_floor', 'rel_noise_floor',
                      'outlier_mad_cut'] %}
        max(case when parameter_name = '{{ p }}' then number_value end) as {{ p }},
        {%- endfor %}
        {%- for p in ['window_days', 'baseline_gap_days', 'min_history_days', 'horizon_days', 'top_reasons'] %}
        cast(max(case when parameter_name = '{{ p }}' then number_value end) as integer) as {{ p }},
        {%- endfor %}
        max(case when parameter_name = 'statistic' then text_value end) as statistic,
        max(case when parameter_name = 'seasonality' then text_value end) as seasonality,
        {{ string_agg_ordered("parameter_name || '=' || coalesce(parameter_value, '')", "';'", 'parameter_name') }}
            as parameter_text
    from typed_values
    group by indicator_id
),

versioned as (
    select
        definitions.*,
        pivoted.cut_2,
        pivoted.cut_3,
        pivoted.cut_4,
        pivoted.cut_5,
        pivoted.z_cut_2,
        pivoted.z_cut_3,
        pivoted.z_cut_4,
        pivoted.z_cut_5,
        pivoted.band_2,
        pivoted.band_3,
        pivoted.band_4,
        pivoted.band_5,
        pivoted.abs_noise_floor,
        pivoted.rel_noise_floor,
        pivoted.outlier_mad_cut,
        pivoted.window_days,
        pivoted.baseline_gap_days,
        pivoted.min_history_days,
        pivoted.horizon_days,
        pivoted.top_reasons,
        pivoted.statistic,
        pivoted.seasonality,
        -- everything its rows depend on: metric, method, direction, name shown, parameters
        definitions.indicator_id
        || '|' || coalesce(definitions.metric_name, '')
        || '|' || definitions.entity_type
        || '|' || definitions.scoring_method
        || '|' || definitions.direction
        || '|' || coalesce(definitions.display_name, '')
        || '|' || coalesce(pivoted.parameter_text, '') as version_text
    from definitions
    left join pivoted
        on definitions.indicator_id = pivoted.indicator_id
),

composite_inputs as (
    -- the composite also changes when a contributing indicator, or its weight, changes
    select
        {{ string_agg_ordered(
            "indicator_id || '=' || weight_text || '@' || md5(version_text)", "';'", 'indicator_id'
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
