{#-
    PostgreSQL with partitioned raw telemetry (predelq/partitions.py): move every
    daily partition of the hot table that ends by the cutoff to the archive as a
    whole: DETACH from raw.raw_telemetry, rename, ATTACH to raw.raw_telemetry_archive
    with the same bounds. No row is deleted or copied. Archive rows of that day that
    sit in the archive's default partition are moved into it first (ATTACH would
    refuse them). Runs inside archive_raw_telemetry's transaction; returns how many
    partitions moved. Elsewhere (DuckDB, or a database created before partitioning)
    it moves nothing and archive_raw_telemetry moves rows.
-#}
{% macro archive_telemetry_partitions(cutoff) -%}
    {{ return(adapter.dispatch('archive_telemetry_partitions', 'predelq')(cutoff)) }}
{%- endmacro %}

{% macro default__archive_telemetry_partitions(cutoff) -%}
    {{ return(0) }}
{%- endmacro %}

{% macro postgres__archive_telemetry_partitions(cutoff) -%}
    {%- set partitioned_sql -%}
        select count(*) as n
        from pg_class as c
        inner join pg_namespace as n on c.relnamespace = n.oid
        where n.nspname = 'raw' and c.relname in ('raw_telemetry', 'raw_telemetry_archive') and c.relkind = 'p'
    {%- endset -%}
    {%- if run_query(partitioned_sql).columns[0].values()[0] | int != 2 -%}
        {{ return(0) }}
    {%- endif -%}
    {%- set parts_sql -%}
        with parts as (
            select
                c.relname as name,
                pg_get_expr(c.relpartbound, c.oid) as bound
            from pg_inherits as i
            inner join pg_class as c on i.inhrelid = c.oid
            inner join pg_class as p on i.inhparent = p.oid
            inner join pg_namespace as n on p.relnamespace = n.oid
            where n.nspname = 'raw' and p.relname = 'raw_telemetry' and c.relname ~ '^raw_telemetry_d[0-9]{8}$'
        )
        select
            name,
            'raw_telemetry_archive_' || substr(name, 15) as archive_name,
            bound,
            cast((regexp_match(bound, 'FROM \(''([^'']+)''\)'))[1] as timestamptz) as lo,
            cast((regexp_match(bound, 'TO \(''([^'']+)''\)'))[1] as timestamptz) as hi
        from parts
        where cast((regexp_match(bound, 'TO \(''([^'']+)''\)'))[1] as timestamptz) <= {{ cutoff }}
        order by name
    {%- endset -%}
    {%- set parts = run_query(parts_sql) -%}
    {%- for p in parts.rows -%}
        {%- set range = "ts >= cast('" ~ p['lo'] ~ "' as timestamptz) and ts < cast('" ~ p['hi'] ~ "' as timestamptz)" -%}
        {%- do run_query('alter table raw.raw_telemetry detach partition raw.' ~ p['name']) -%}
        {%- set taken_sql -%}
            select count(*) as n from pg_class as c inner join pg_namespace as n on c.relnamespace = n.oid
            where n.nspname = 'raw' and c.relname = '{{ p["archive_name"] }}'
        {%- endset -%}
        {%- if run_query(taken_sql).columns[0].values()[0] | int > 0 -%}
            {#- the archive already has that day (archived by an earlier run): add the rows -#}
            {%- do run_query('insert into raw.raw_telemetry_archive select * from raw.' ~ p['name']) -%}
            {%- do run_query('drop table raw.' ~ p['name']) -%}
        {%- else -%}
            {%- do run_query(
                'insert into raw.' ~ p['name'] ~ ' select * from raw.raw_telemetry_archive_default where ' ~ range) -%}
            {%- do run_query('delete from raw.raw_telemetry_archive_default where ' ~ range) -%}
            {%- do run_query('alter table raw.' ~ p['name'] ~ ' rename to ' ~ p['archive_name']) -%}
            {%- do run_query(
                'alter table raw.raw_telemetry_archive attach partition raw.' ~ p['archive_name'] ~ ' ' ~ p['bound']) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(parts.rows | length) }}
{%- endmacro %}
