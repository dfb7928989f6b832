{#-
    Days without a score keep the reason in score_status.
-#}
{{ config(materialized='view') }}

with

indicator_values as (
    select * from {{ ref('indicator_values') }}
),

indicator_parameters_typed as (
    select * from {{ ref('int_indicator_parameters_typed') }}
),

assets_joined as (
    select * from {{ ref('int_assets_joined') }}
),

final as (
    select
        indicator_values.id as indicator_value_id,
        cast(indicator_values.indicator_id as {{ type_text() }}) as indicator_id,
        cast(indicator_parameters_typed.display_name as {{ type_text() }}) as indicator_name,
        cast(indicator_parameters_typed.scoring_method as {{ type_text() }}) as scoring_method,
        cast(indicator_values.entity_type as {{ type_text() }}) as entity_type,
        case when indicator_values.entity_type = 'asset' then indicator_values.entity_id end as asset_id,
        case
            when indicator_values.entity_type = 'account' then indicator_values.entity_id
            else assets_joined.account_id
        end as account_id,
        indicator_values.period_date as local_date,
        cast(indicator_values.score as integer) as score,
        cast(indicator_values.status as {{ type_text() }}) as score_status,
        cast(indicator_values.underlying_value as {{ type_double() }}) as underlying_value,
        cast(indicator_values.baseline_value as {{ type_double() }}) as baseline_value,
        cast(indicator_values.z_score as {{ type_double() }}) as z_score
    from indicator_values
    inner join indicator_parameters_typed
        on indicator_values.indicator_id = indicator_parameters_typed.indicator_id
    left join assets_joined
        on
            indicator_values.entity_type = 'asset'
            and indicator_values.entity_id = assets_joined.asset_id
)

select * from final
