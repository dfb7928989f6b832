{#-
    on-run-start: the run log table ops.pipeline_runs, created if missing.
    One row per dbt node result per invocation (see log_run_results).
-#}
{% macro create_pipeline_runs_table() -%}
    {{ return(adapter.dispatch('create_pipeline_runs_table', 'predelq')()) }}
{%- endmacro %}

{% macro default__create_pipeline_runs_table() -%}
    create schema if not exists ops;
    create table if not exists ops.pipeline_runs (
        run_id varchar(64) not null,
        node_id varchar(512) not null,
        node_name varchar(256) not null,
        resource_type varchar(32) not null,
        materialization varchar(32),
        status varchar(32) not null,
        rows_affected bigint,
        failures bigint,
        execution_seconds double precision,
        started_at timestamp with time zone,
        completed_at timestamp with time zone,
        duration_ms bigint,
        error_message text,
        command varchar(32),
        target_name varchar(64),
        run_started_at timestamp with time zone,
        run_metadata {{ type_json() }},
        created_at timestamp with time zone not null,
        primary key (run_id, node_id)
    )
{%- endmacro %}

{#- Spark: one statement per call, Spark's types, a Parquet table (no keys). -#}
{% macro spark__create_pipeline_runs_table() -%}
    {%- do run_query('create schema if not exists ops') -%}
    {%- do run_query("""
        create table if not exists ops.pipeline_runs (
            run_id string, node_id string, node_name string, resource_type string,
            materialization string, status string, rows_affected bigint, failures bigint,
            execution_seconds double, started_at timestamp, completed_at timestamp,
            duration_ms bigint, error_message string, command string, target_name string,
            run_started_at timestamp, run_metadata string, created_at timestamp
        ) using parquet""") -%}
{%- endmacro %}
