{#-
    One row: the collection priority parameters of
    seeds/collection_priority_parameters.csv as typed columns. The seed check
    (tests/marts/assert_collection_priority_parameters_are_valid.sql) names any
    bad row before this cast runs in `dbt build`.
-#}
with

collection_priority_parameters as (
    select * from {{ ref('collection_priority_parameters') }}
),

trimmed as (
    select
        trim(parameter_name) as parameter_name,
        trim(parameter_value) as parameter_value
    from collection_priority_parameters
),

final as (
    select
        {%- for name, kind in collection_priority_parameter_catalog() %}
        max(case when parameter_name = '{{ name }}' then cast(parameter_value as {{ dbt.type_float() }}) end)
            as {{ name }},
        {%- endfor %}
        count(*) as parameter_rows
    from trimmed
)

select * from final
