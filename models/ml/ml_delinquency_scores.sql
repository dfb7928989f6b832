{#-
    One row per account, as-of day and horizon: the delinquency probability the
    active model wrote to the landing table ml.delinquency_scores. The single way
    downstream models (ml_model indicators, marts) read scores on every engine.
-#}
{{ config(materialized='view') }}

with

delinquency_scores as (
    select * from {{ ref('stg_ml__delinquency_scores') }}
),

final as (
    select
        account_id,
        as_of_date,
        cast({{ dbt.dateadd('day', -1, 'as_of_date') }} as date) as features_through_date,
        horizon_days,
        cast(probability as {{ dbt.type_float() }}) as probability,
        model_name,
        model_version,
        top_reasons,
        scored_at
    from delinquency_scores
)

select * from final
