{#-
    One row per scoring of an as-of day by a model (horizon, name, version): how
    many variables the drift check compared with the training window, how many
    drifted (PSI above psi_drift_cut of the seed risk_settings), the largest PSI
    and the score's own PSI. The days a model was scored, drifted or not, so
    that model_drift_events can tell when a drift episode starts and ends.
-#}
{{ config(materialized='view') }}

with

drift_results as (
    select * from {{ ref('stg_ml__drift_results') }}
),

model_registry as (
    select * from {{ ref('stg_ml__model_registry') }}
),

risk_settings as (
    select * from {{ ref('risk_settings') }}
),

drift_judged as (
    -- drifted: PSI above the risk owner's cut (the scorer's is_drifted uses the same seed value)
    select
        drift_results.as_of_date,
        drift_results.horizon_days,
        drift_results.model_name,
        drift_results.model_version,
        drift_results.variable_kind,
        drift_results.psi,
        drift_results.reference_start,
        drift_results.reference_end,
        drift_results.current_rows,
        drift_results.computed_at,
        coalesce(drift_results.psi > risk_settings.psi_drift_cut, false) as is_drifted
    from drift_results
    cross join risk_settings
),

per_scoring as (
    select
        as_of_date,
        horizon_days,
        model_name,
        model_version,
        count(*) as variables_checked,
        sum(case when is_drifted then 1 else 0 end) as variables_drifted,
        sum(case when is_drifted and variable_kind = 'feature' then 1 else 0 end) as features_drifted,
        max(psi) as max_psi,
        max(case when variable_kind = 'score' then psi end) as score_psi,
        max(case when variable_kind = 'score' and is_drifted then 1 else 0 end) as score_drift_flag,
        min(reference_start) as reference_start,
        max(reference_end) as reference_end,
        max(current_rows) as current_rows,
        max(computed_at) as computed_at
    from drift_judged
    group by as_of_date, horizon_days, model_name, model_version
),

final as (
    select
        per_scoring.as_of_date,
        per_scoring.horizon_days,
        per_scoring.model_name,
        per_scoring.model_version,
        model_registry.id as model_id,
        model_registry.is_active as is_model_active,
        cast(per_scoring.variables_checked as integer) as variables_checked,
        cast(per_scoring.variables_drifted as integer) as variables_drifted,
        cast(per_scoring.features_drifted as integer) as features_drifted,
        per_scoring.variables_drifted > 0 as is_drifted,
        per_scoring.score_drift_flag = 1 as is_score_drifted,
        cast(per_scoring.max_psi as {{ dbt.type_float() }}) as max_psi,
        cast(per_scoring.score_psi as {{ dbt.type_float() }}) as score_psi,
        per_scoring.reference_start,
        per_scoring.reference_end,
        per_scoring.current_rows,
        per_scoring.computed_at
    from per_scoring
    left join model_registry
        on
            per_scoring.model_name = model_registry.name
            and per_scoring.model_version = model_registry.version
            and per_scoring.horizon_days = model_registry.horizon_days
)

select * from final
