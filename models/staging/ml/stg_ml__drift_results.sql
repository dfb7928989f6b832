with

drift_results as (
    select * from {{ source('ml', 'drift_results') }}
),

final as (
    select
        run_id,
        computed_at,
        as_of_date,
        horizon_days,
        model_name,
        model_version,
        variable_name,
        variable_kind,
        psi,
        is_drifted,
        reference_start,
        reference_end,
        reference_rows,
        current_rows
    from drift_results
)

select * from final
