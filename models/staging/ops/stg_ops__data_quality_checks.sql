with

data_quality_checks as (
    select * from {{ source('ops', 'data_quality_checks') }}
),

final as (
    select
        check_run_id,
        checked_at,
        target_name,
        suite_name,
        table_name,
        batch_description,
        expectation_type,
        column_name,
        severity,
        success,
        element_count,
        unexpected_count,
        unexpected_percent,
        observed_value,
        why,
        details,
        data_docs_path
    from data_quality_checks
)

select * from final
