{#- One row: the typed seed collection_priority_parameters, its values as doubles. -#}
with

collection_priority_parameters as (
    select * from {{ ref('collection_priority_parameters') }}
),

final as (
    select
        cast(device_alive_hours as {{ dbt.type_float() }}) as device_alive_hours,
        cast(device_alive_multiplier as {{ dbt.type_float() }}) as device_alive_multiplier,
        cast(located_within_days as {{ dbt.type_float() }}) as located_within_days,
        cast(located_multiplier as {{ dbt.type_float() }}) as located_multiplier,
        cast(at_base_multiplier as {{ dbt.type_float() }}) as at_base_multiplier,
        cast(no_vehicle_data_factor as {{ dbt.type_float() }}) as no_vehicle_data_factor,
        cast(fallback_probability_score_1 as {{ dbt.type_float() }}) as fallback_probability_score_1,
        cast(fallback_probability_score_2 as {{ dbt.type_float() }}) as fallback_probability_score_2,
        cast(fallback_probability_score_3 as {{ dbt.type_float() }}) as fallback_probability_score_3,
        cast(fallback_probability_score_4 as {{ dbt.type_float() }}) as fallback_probability_score_4,
        cast(fallback_probability_score_5 as {{ dbt.type_float() }}) as fallback_probability_score_5,
        cast(fallback_probability_unscored as {{ dbt.type_float() }}) as fallback_probability_unscored
    from collection_priority_parameters
)

select * from final
