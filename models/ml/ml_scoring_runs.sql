{#-
    The last scoring of each horizon, as the Python scorer recorded it in the
    landing table ml.scoring_runs (read through stg_ml__scoring_runs; a view:
    always the latest scoring).
-#}
{{ config(materialized='view') }}

with

scoring_runs as (
    select * from {{ ref('stg_ml__scoring_runs') }}
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
