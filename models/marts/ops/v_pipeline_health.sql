{#-
    What a person checks first when the numbers look stale.
-#}
{{ config(materialized='view') }}

with

pipeline_runs as (
    select * from {{ ref('stg_ops__pipeline_runs') }}
),

per_run as (
    select
        run_id,
        max(command) as command,
        max(target_name) as target_name,
        min(run_started_at) as run_started_at,
        max(completed_at) as last_node_completed_at,
        max(created_at) as logged_at,
        count(*) as nodes,
        sum(case when status in ('success', 'pass', 'no-op') then 1 else 0 end) as nodes_success,
        sum(case when status in ('error', 'runtime error') then 1 else 0 end) as nodes_error,
        sum(case when status = 'fail' then 1 else 0 end) as nodes_fail,
        sum(case when status = 'warn' then 1 else 0 end) as nodes_warn,
        sum(case when status = 'skipped' then 1 else 0 end) as nodes_skipped,
        {{ string_agg_ordered(
            "case when status in ('error', 'runtime error', 'fail') then node_name end", "', '", 'node_name asc'
        ) }} as failed_nodes,
        {{ string_agg_ordered(
            "case when status = 'warn' then node_name end", "', '", 'node_name asc'
        ) }} as warned_nodes
    from pipeline_runs
    group by run_id
),

final as (
    select
        cast(run_id as {{ dbt.type_string() }}) as run_id,
        cast(command as {{ dbt.type_string() }}) as command,
        cast(target_name as {{ dbt.type_string() }}) as target_name,
        run_started_at,
        -- the hook logs at the end of the invocation: the last node or the log time
        coalesce(last_node_completed_at, logged_at) as run_completed_at,
        cast(
            {{ epoch_seconds('coalesce(last_node_completed_at, logged_at)') }}
            - {{ epoch_seconds('run_started_at') }}
            as {{ dbt.type_float() }}
        ) as run_seconds,
        cast(nodes as integer) as nodes,
        cast(nodes_success as integer) as nodes_success,
        cast(nodes_error as integer) as nodes_error,
        cast(nodes_fail as integer) as nodes_fail,
        cast(nodes_warn as integer) as nodes_warn,
        cast(nodes_skipped as integer) as nodes_skipped,
        cast(failed_nodes as {{ dbt.type_string() }}) as failed_nodes,
        cast(warned_nodes as {{ dbt.type_string() }}) as warned_nodes,
        nodes_error = 0 and nodes_fail = 0 as is_success
    from per_run
)

select * from final
