{#-
    The only model that reads `metric_values`; an indicator picks its metric by
    name in the seed.
-#}
{{ config(materialized='view') }}

with

metric_values as (
    select * from {{ ref('metric_values') }}
),

int_indicator_parameters_typed as (
    select * from {{ ref('int_indicator_parameters_typed') }}
),

metric_indicators as (
    select
        indicator_id,
        metric_name,
        entity_type
    from int_indicator_parameters_typed
    where is_active and aggregation_type = 'atomic' and scoring_method in ('static_rules', 'std_dev')
),

final as (
    select
        metric_indicators.indicator_id,
        metric_values.entity_type,
        metric_values.entity_id,
        metric_values.local_date as metric_date,
        cast(metric_values.value as {{ dbt.type_numeric() }}) as value
    from metric_values
    inner join metric_indicators
        on
            metric_values.metric_name = metric_indicators.metric_name
            and metric_values.entity_type = metric_indicators.entity_type
)

select * from final
