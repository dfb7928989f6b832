with

scoring_runs as (
    select * from {{ source('ml', 'scoring_runs') }}
),

final as (
    select
        as_of_date,
        horizon_days,
        status,
        message,
        model_name,
        model_version,
        accounts_scored,
        days_scored,
        mean_probability,
        features_drifted,
        score_psi,
        scored_at
    from scoring_runs
)

select * from final
