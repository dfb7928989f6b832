{#-
    on-run-end: one row per node result of this invocation into ops.pipeline_runs.
    `results` is dbt's list of RunResult objects. Returns the insert statement(s)
    for the hook to run (nothing when there are no results). The table is Python's
    (predelq/landing.py): `predelq dbt` and `predelq db-create` create it.
-#}
{% macro log_run_results(results) -%}
    {%- set rows = [] -%}
    {%- for result in results -%}
        {%- set node = result.node -%}
        {%- set timing = {} -%}
        {%- for t in result.timing if t.name == 'execute' -%}
            {%- do timing.update({'started': t.started_at, 'completed': t.completed_at}) -%}
        {%- endfor -%}
        {%- if 'started' not in timing and result.timing -%}
            {%- do timing.update({
                'started': result.timing[0].started_at,
                'completed': result.timing[-1].completed_at,
            }) -%}
        {%- endif -%}
        {%- set response = result.adapter_response or {} -%}
        {%- set rows_affected = response.get('rows_affected') -%}
        {%- if rows_affected is none or rows_affected is not number or rows_affected < 0 -%}
            {%- set rows_affected = none -%}
        {%- endif -%}
        {%- set status = result.status | string | lower -%}
        {%- set message = result.message if status in ['error', 'fail', 'warn', 'runtime error'] else none -%}
        {%- set metadata = {
            'thread_id': result.thread_id,
            'adapter_response': response,
            'schema': node.schema if node.schema is defined else none,
            'dbt_version': dbt_version,
            'target_type': target.type,
        } -%}
        {%- do rows.append([
            ops_sql_literal(invocation_id),
            ops_sql_literal(node.unique_id),
            ops_sql_literal(node.name),
            ops_sql_literal(node.resource_type),
            ops_sql_literal(node.config.get('materialized') if node.config else none),
            ops_sql_literal(status),
            rows_affected if rows_affected is not none else 'null',
            result.failures if result.failures is number else 'null',
            result.execution_time if result.execution_time is number else 'null',
            ops_timestamp_literal(timing.get('started')),
            ops_timestamp_literal(timing.get('completed')),
            (result.execution_time * 1000) | round | int if result.execution_time is number else 'null',
            ops_sql_literal(message[:4000] if message else none),
            ops_sql_literal(flags.WHICH),
            ops_sql_literal(target.name),
            ops_timestamp_literal(run_started_at),
            'cast(' ~ ops_sql_literal(tojson(metadata)) ~ ' as ' ~ type_json() ~ ')',
            dbt.current_timestamp(),
        ]) -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for batch in rows | batch(200) -%}
        {%- set stmt -%}
            insert into ops.pipeline_runs (
                run_id, node_id, node_name, resource_type, materialization, status,
                rows_affected, failures, execution_seconds, started_at, completed_at,
                duration_ms, error_message, command, target_name, run_started_at,
                run_metadata, created_at
            ) values
            {%- for row in batch %}
                ({{ row | join(', ') }}){{ ',' if not loop.last }}
            {%- endfor %}
        {%- endset -%}
        {%- do statements.append(stmt) -%}
    {%- endfor -%}
    {%- if adapter.type() == 'spark' -%}
        {#- dbt-spark runs one statement per call: run them here, return nothing -#}
        {%- for stmt in statements -%}
            {%- do run_query(stmt) -%}
        {%- endfor -%}
    {%- else -%}
        {%- for stmt in statements %}
        {{ stmt }};
        {% endfor -%}
    {%- endif -%}
{%- endmacro %}

{#- A text value as a SQL string literal (null for none). -#}
{% macro ops_sql_literal(value) -%}
    {%- set text = value | string if value is not none else none -%}
    {%- if text is not none and adapter.type() == 'spark' -%}
        {%- set text = text | replace('\\', '\\\\') -%}{#- Spark reads backslash escapes -#}
    {%- endif -%}
    {%- if value is none -%}null{%- else -%}'{{ text | replace("'", "''") }}'{%- endif -%}
{%- endmacro %}

{#- A Python datetime (naive = UTC, as dbt reports timings) as a timestamptz literal. -#}
{% macro ops_timestamp_literal(value) -%}
    {%- if value is none -%}null{%- else -%}
        cast('{{ value.strftime("%Y-%m-%d %H:%M:%S.%f") }}+00:00' as {{ type_timestamptz() }})
    {%- endif -%}
{%- endmacro %}
