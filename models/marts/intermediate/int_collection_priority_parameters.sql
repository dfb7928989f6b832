{#- One row: the typed seed collection_priority_parameters, its values as doubles. -#}
{%- set parameters = [
    'device_alive_hours', 'device_alive_multiplier', 'located_within_days', 'located_multiplier',
    'at_base_multiplier', 'no_vehicle_data_factor', 'fallback_probability_score_1',
    'fallback_probability_score_2', 'fallback_probability_score_3', 'fallback_probability_score_4',
    'fallback_probability_score_5', 'fallback_probability_unscored',
] %}
with

collection_priority_parameters as (
    select * from {{ ref('collection_priority_parameters') }}
),

final as (
    select
        {%- for name in parameters %}
        cast({{ name }} as {{ dbt.type_float() }}) as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from collection_priority_parameters
)

select * from final
