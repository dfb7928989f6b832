with

pipeline_runs as (
    select * from {{ source('ops', 'pipeline_runs') }}
),

final as (
    select
        run_id,
        node_id,
        node_name,
        resource_type,
        materialization,
        status,
        rows_affected,
        failures,
        execution_seconds,
        started_at,
        completed_at,
        duration_ms,
        error_message,
        command,
        target_name,
        run_started_at,
        run_metadata,
        created_at
    from pipeline_runs
)

select * from final
