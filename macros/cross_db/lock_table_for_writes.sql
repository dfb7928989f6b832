{#-
    A statement that keeps other sessions from writing to `relation` until the
    current transaction ends (reads go on). Used by archive_raw_telemetry so
    that rows loaded meanwhile cannot slip between its insert and its delete.
-#}
{% macro lock_table_for_writes(relation) -%}
    {{ return(adapter.dispatch('lock_table_for_writes', 'predelq')(relation)) }}
{%- endmacro %}

{% macro default__lock_table_for_writes(relation) -%}
    lock table {{ relation }} in share row exclusive mode
{%- endmacro %}

{#- DuckDB: a database file has one writing process and transactions are snapshot
    isolated, so there is nothing to lock (select 1 keeps the statement valid). -#}
{% macro duckdb__lock_table_for_writes(relation) -%}
    select 1
{%- endmacro %}

{#- Spark has no table locks (archive_raw_telemetry is not run on Spark). -#}
{% macro spark__lock_table_for_writes(relation) -%}
    select 1
{%- endmacro %}
