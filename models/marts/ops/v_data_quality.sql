{{ config(materialized='view') }}

with

data_quality_checks as (
    select * from {{ ref('stg_ops__data_quality_checks') }}
),

per_suite as (
    select
        check_run_id,
        suite_name,
        table_name,
        max(checked_at) as checked_at,
        max(target_name) as target_name,
        count(*) as expectations_run,
        sum(case when not success then 1 else 0 end) as expectations_failed,
        sum(case when not success and severity = 'critical' then 1 else 0 end) as critical_failed,
        max(data_docs_path) as data_docs_path
    from data_quality_checks
    group by check_run_id, suite_name, table_name
),

final as (
    select
        cast(check_run_id as {{ dbt.type_string() }}) as check_run_id,
        checked_at,
        cast(target_name as {{ dbt.type_string() }}) as target_name,
        cast(suite_name as {{ dbt.type_string() }}) as suite_name,
        cast(table_name as {{ dbt.type_string() }}) as table_name,
        cast(expectations_run as integer) as expectations_run,
        cast(expectations_failed as integer) as expectations_failed,
        cast(critical_failed as integer) as critical_failed,
        critical_failed = 0 as is_passing,
        cast(data_docs_path as {{ dbt.type_string() }}) as data_docs_path
    from per_suite
)

select * from final
