with

delinquency_scores as (
    select * from {{ source('ml', 'delinquency_scores') }}
),

final as (
    select
        account_id,
        as_of_date,
        horizon_days,
        probability,
        model_name,
        model_version,
        top_reasons,
        scored_at
    from delinquency_scores
)

select * from final
