{{ config(materialized='view') }}

with

int_indicator_scores_atomic as (
    select * from {{ ref('int_indicator_scores_atomic') }}
),

int_indicator_scores_composite as (
    select * from {{ ref('int_indicator_scores_composite') }}
),

unioned as (
    select
        indicator_id,
        entity_type,
        entity_id,
        period_date,
        status,
        score,
        underlying_value,
        z_score,
        threshold_version
    from int_indicator_scores_atomic
    union all
    select
        indicator_id,
        entity_type,
        entity_id,
        period_date,
        status,
        score,
        underlying_value,
        cast(null as {{ dbt.type_float() }}) as z_score,
        threshold_version
    from int_indicator_scores_composite
)

select * from unioned
