{#-
    dbt run-operation archive_raw_telemetry --args '{days: 90}'

    Moves raw.raw_telemetry rows recorded before the cutoff into
    raw.raw_telemetry_archive, in one transaction. On PostgreSQL, where both tables
    are partitioned by local day, whole partitions move (detach / attach,
    macro archive_telemetry_partitions) and only stray rows are copied and deleted. The cutoff is local midnight
    (var local_timezone) `days` days before the local day of the latest reading
    that is not in the future: it follows the data, not the clock, so a feed that
    stopped for a while does not empty the hot table, and a re-run is a no-op.
    Rows without a timestamp stay hot (staging rejects them anyway).

    Counts are checked before commit: hot + archive total unchanged, the archive
    grew by exactly what the hot table lost, and no row before the cutoff is left
    in the hot table (so no row is in both). On a mismatch the transaction is
    rolled back and the operation fails. Returns the counts.
-#}
{% macro archive_raw_telemetry(days=90) -%}
    {%- if days is string -%}{%- set days = days | trim | int(-1) -%}{%- endif -%}
    {%- if days is not number or days < 1 or days != days | int -%}
        {{ exceptions.raise_compiler_error(
            "archive_raw_telemetry: days must be a whole number of days >= 1, got " ~ days) }}
    {%- endif -%}
    {%- set hot = 'raw.raw_telemetry' -%}
    {%- set archive = 'raw.raw_telemetry_archive' -%}
    {%- set columns = 'id, device_id, asset_id, ts, lat, lon, soc, odometer, speed, is_charging, '
        ~ 'raw_payload, ingested_at, load_batch_id' -%}

    {#- dbt leaves transaction handling of run-operation connections in an unclear
        state (psycopg2 may believe a transaction is open after dbt's COMMIT), so the
        transaction is explicit here: begin, checks, commit or rollback. -#}
    {%- do run_query('begin') -%}
    {%- do run_query(lock_table_for_writes(hot)) -%}
    {%- do run_query(lock_table_for_writes(archive)) -%}

    {%- set latest_day_sql -%}
        select cast(max({{ to_local_timestamp('ts') }}) as date) as latest_day
        from {{ hot }}
        where ts <= {{ dbt.current_timestamp() }}
    {%- endset -%}
    {%- set latest_day = run_query(latest_day_sql).columns[0].values()[0] -%}
    {%- if latest_day is none -%}
        {%- do run_query('commit') -%}
        {{ log("archive_raw_telemetry: no telemetry in " ~ hot ~ ", nothing to archive", info=True) }}
        {{ return({'moved': 0, 'cutoff': none}) }}
    {%- endif -%}
    {%- set cutoff_day = (latest_day - modules.datetime.timedelta(days=days)).strftime('%Y-%m-%d') -%}
    {%- set cutoff = local_midnight_utc("cast('" ~ cutoff_day ~ "' as date)") -%}

    {%- set count_sql -%}
        select
            (select count(*) from {{ hot }}) as hot_rows,
            (select count(*) from {{ archive }}) as archive_rows,
            (select count(*) from {{ hot }} where ts < {{ cutoff }}) as old_hot_rows
    {%- endset -%}
    {%- set before = run_query(count_sql).rows[0] -%}

    {#- PostgreSQL with daily partitions: whole days move as partitions; the rows left
        before the cutoff (e.g. in the default partition) move as rows below. -#}
    {%- set partitions_moved = archive_telemetry_partitions(cutoff) -%}
    {%- do run_query(
        'insert into ' ~ archive ~ ' (' ~ columns ~ ') select ' ~ columns
        ~ ' from ' ~ hot ~ ' where ts < ' ~ cutoff) -%}
    {%- do run_query('delete from ' ~ hot ~ ' where ts < ' ~ cutoff) -%}
    {%- set after = run_query(count_sql).rows[0] -%}

    {%- set moved = before['old_hot_rows'] | int -%}
    {%- set counts = {
        'days': days,
        'cutoff_day': cutoff_day,
        'moved': moved,
        'partitions_moved': partitions_moved | int,
        'hot_before': before['hot_rows'] | int,
        'hot_after': after['hot_rows'] | int,
        'archive_before': before['archive_rows'] | int,
        'archive_after': after['archive_rows'] | int,
    } -%}
    {%- set problems = [] -%}
    {%- if counts.hot_after + counts.archive_after != counts.hot_before + counts.archive_before -%}
        {%- do problems.append('hot + archive total changed') -%}
    {%- endif -%}
    {%- if counts.hot_after != counts.hot_before - moved -%}
        {%- do problems.append('hot table lost ' ~ (counts.hot_before - counts.hot_after)
            ~ ' rows, expected ' ~ moved) -%}
    {%- endif -%}
    {%- if counts.archive_after != counts.archive_before + moved -%}
        {%- do problems.append('archive gained ' ~ (counts.archive_after - counts.archive_before)
            ~ ' rows, expected ' ~ moved) -%}
    {%- endif -%}
    {%- if after['old_hot_rows'] | int != 0 -%}
        {%- do problems.append(after['old_hot_rows'] ~ ' rows before the cutoff still in the hot table') -%}
    {%- endif -%}
    {%- if problems -%}
        {%- do run_query('rollback') -%}
        {{ exceptions.raise_compiler_error(
            'archive_raw_telemetry rolled back, counts do not reconcile: ' ~ problems | join('; ')
            ~ ' ' ~ tojson(counts)) }}
    {%- endif -%}
    {%- do run_query('commit') -%}
    {{ log(
        "archive_raw_telemetry: moved " ~ moved ~ " rows recorded before " ~ cutoff_day
        ~ " (" ~ var('local_timezone') ~ ", " ~ days ~ " days before the latest reading) to " ~ archive
        ~ " (" ~ counts.partitions_moved ~ " whole daily partitions); hot " ~ counts.hot_before ~ " -> " ~ counts.hot_after
        ~ ", archive " ~ counts.archive_before ~ " -> " ~ counts.archive_after, info=True) }}
    {{ return(counts) }}
{%- endmacro %}
