{#-
    A pre-hook for the models that aggregate or sort the readings: on PostgreSQL,
    `set local work_mem` to var('postgres_work_mem') for the model's transaction
    (default 128MB; $PREDELQ_PG_WORK_MEM). At the server's default of 4MB the
    day aggregate of int_telemetry_aggregated_daily (87 k asset-days, 25
    aggregates) spilled 2 GB to disk in 21 batches; at 128MB it stays in memory.
    PostgreSQL may use up to this much per sort or hash step (hashes twice that,
    hash_mem_multiplier), per model running at once: size it to the server.
    DuckDB manages its own memory (memory_limit): nothing to do.
-#}
{% macro analytic_work_mem() -%}
    {{ return(adapter.dispatch('analytic_work_mem', 'predelq')()) }}
{%- endmacro %}

{% macro default__analytic_work_mem() -%}
{%- endmacro %}

{% macro postgres__analytic_work_mem() -%}
    {%- set work_mem = var('postgres_work_mem') | string %}
    {%- if not modules.re.fullmatch('[0-9]+ ?(kB|MB|GB)', work_mem) %}
        {{ exceptions.raise_compiler_error(
            "var postgres_work_mem must be a size such as 128MB or 1GB, got '" ~ work_mem ~ "'") }}
    {%- endif %}
    set local work_mem = '{{ work_mem }}'
{%- endmacro %}
