{#-
    Seed check for seeds/collection_priority_parameters.csv. Returns one row
    per problem, naming the parameter: an unknown or duplicated name, a
    missing parameter, text where a number belongs, a value out of its range.
    int_collection_priority_parameters only casts what passes.
-#}
{{ config(tags=['seed_check']) }}

with

parameters as (
    select * from {{ ref('collection_priority_parameters') }}
),

expected as (
    {%- for name, kind in collection_priority_parameter_catalog() %}
    select '{{ name }}' as parameter_name, '{{ kind }}' as kind
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

rows_checked as (
    select
        trim(parameters.parameter_name) as parameter_name,
        trim(parameters.parameter_value) as parameter_value,
        expected.kind,
        count(*) over (partition by trim(parameters.parameter_name)) as copies,
        {{ text_is_number('parameters.parameter_value') }} as is_number
    from parameters
    left join expected
        on trim(parameters.parameter_name) = expected.parameter_name
),

numbers as (
    select
        parameter_name,
        parameter_value,
        kind,
        -- case, not a where clause: the cast must never meet a non-number
        case when is_number then cast(parameter_value as {{ dbt.type_float() }}) end as value
    from rows_checked
    where kind is not null
),

problems as (
    select
        coalesce(parameter_name, '(empty)') as parameter_name,
        'unknown parameter name' as problem
    from rows_checked
    where kind is null
    union all
    select distinct
        parameter_name,
        'parameter given more than once' as problem
    from rows_checked
    where copies > 1 and kind is not null
    union all
    select
        parameter_name,
        'not a number: ' || coalesce(parameter_value, '(empty)') as problem
    from rows_checked
    where kind is not null and not coalesce(is_number, false)
    union all
    select
        parameter_name,
        'out of range for a ' || kind || ': ' || parameter_value as problem
    from numbers
    where
        value is not null
        and (
            (kind = 'multiplier' and not (value > 0 and value <= 1))
            or (kind = 'probability' and not (value >= 0 and value <= 1))
            or (kind = 'window' and not value > 0)
        )
    union all
    select
        expected.parameter_name,
        'missing parameter' as problem
    from expected
    left join rows_checked
        on expected.parameter_name = rows_checked.parameter_name
    where rows_checked.parameter_name is null
)

select * from problems
