{#-
    One row per scoring of an as-of day, horizon and variable whose population
    stability index against the model's training window is above the PSI cut
    (seed risk_settings, psi_drift_cut): the drift
    warnings, tied to the registry row of the model so an event can name it.
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

drifted as (
    select
        drift_results.as_of_date,
        drift_results.horizon_days,
        drift_results.model_name,
        drift_results.model_version,
        model_registry.id as model_id,
        drift_results.variable_name,
        drift_results.variable_kind,
        drift_results.psi,
        drift_results.reference_start,
        drift_results.reference_end,
        drift_results.current_rows,
        drift_results.computed_at
    from drift_results
    left join model_registry
        on
            drift_results.model_name = model_registry.name
            and drift_results.model_version = model_registry.version
            and drift_results.horizon_days = model_registry.horizon_days
    inner join risk_settings
        on drift_results.psi > risk_settings.psi_drift_cut
),

final as (
    select
        *,
        case
            when variable_kind = 'score' then 'Score distribution shifted since training'
            else 'Feature ' || variable_name || ' shifted since training'
        end as warning_text
    from drifted
)

select * from final
