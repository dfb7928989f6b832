{{ config(
    pre_hook="{{ delete_recomputed_telemetry_rows('started_at', is_instant=true) }}",
    **incremental_config(['asset_id', 'started_at'])
) }}

with

telemetry_readings_enriched as (
    select * from {{ ref('int_telemetry_readings_enriched') }}
),

charging_readings as (
    select
        asset_id,
        recorded_at,
        local_date,
        soc_pct,
        is_charging_session_start,
        is_charging_session_end,
        -- the start of the session a reading belongs to: the latest start so far
        -- (null for readings continuing a session that started before the window)
        max(case when is_charging_session_start then recorded_at end) over (
            partition by asset_id
            order by recorded_at
            range between unbounded preceding and current row
        ) as session_started_at
    from telemetry_readings_enriched
    where is_charging
),

sessions as (
    select
        asset_id,
        session_started_at,
        min(recorded_at) as first_reading_at,
        min(local_date) as first_reading_date,
        max(recorded_at) as ended_at,
        max(case when is_charging_session_start then soc_pct end) as first_soc_pct,
        max(case when is_charging_session_end then soc_pct end) as end_soc_pct
    from charging_readings
    group by asset_id, session_started_at
),

{%- if is_incremental() %}

running_before as (
    -- per asset, the last session that started before the window: readings at
    -- the window's start that do not open a session continue it
    select
        asset_id,
        started_at,
        started_local_date,
        start_soc_pct
    from (
        select
            previous.*,
            row_number() over (partition by previous.asset_id order by previous.started_at desc) as recency
        from {{ this }} as previous
        where previous.started_at < {{ local_midnight_utc(recompute_from(telemetry_window=true)) }}
    ) as ranked
    where recency = 1
),
{%- endif %}

final as (
    select
        sessions.asset_id,
        {%- if is_incremental() %}
            case
                when sessions.session_started_at is null and running_before.started_at is not null
                    then running_before.started_at
                else sessions.first_reading_at
            end as started_at,
            case
                when sessions.session_started_at is null and running_before.started_at is not null
                    then running_before.started_local_date
                else sessions.first_reading_date
            end as started_local_date,
            case
                when sessions.session_started_at is null and running_before.started_at is not null
                    then running_before.start_soc_pct
                else sessions.first_soc_pct
            end as start_soc_pct,
        {%- else %}
        sessions.first_reading_at as started_at,
        sessions.first_reading_date as started_local_date,
        sessions.first_soc_pct as start_soc_pct,
        {%- endif %}
        sessions.ended_at,
        sessions.end_soc_pct
    from sessions
    {%- if is_incremental() %}
        left join running_before
            on sessions.asset_id = running_before.asset_id
    {%- endif %}
),

measured as (
    select
        asset_id,
        started_at,
        started_local_date,
        ended_at,
        ({{ epoch_seconds('ended_at') }} - {{ epoch_seconds('started_at') }}) / 60 as duration_minutes,
        start_soc_pct,
        end_soc_pct,
        end_soc_pct - start_soc_pct as soc_gained_pct
    from final
)

select * from measured
