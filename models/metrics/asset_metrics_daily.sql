{#-
    Activity averages use reporting days only (completeness at least
    var('reporting_day_min_completeness_pct')): a silent device lowers
    completeness, not the kilometres.
-#}
{{ config(
    **incremental_config(['asset_id', 'local_date'], spark_day_partition='local_date', day_column='local_date')
) }}

{%- set rolled = [
    'km_driven', 'active_minutes', 'night_active_minutes', 'charging_minutes',
    'charging_sessions_started', 'avg_soc_pct', 'at_base_share_pct', 'avg_distance_from_base_km',
] %}
{%- set reporting = var('reporting_day_min_completeness_pct') %}

with

telemetry_aggregated_daily as (
    select * from {{ ref('int_telemetry_aggregated_daily') }}
),

{%- if is_incremental() %}

recompute_from as (
    select {{ recompute_from() }} as start_date
),
{%- endif %}

flagged as (
    select
        *,
        data_completeness_pct >= {{ reporting }} as is_reporting_day,
        data_completeness_pct >= {{ reporting }} and km_driven < 1 as is_idle_day
    from telemetry_aggregated_daily
    {%- if is_incremental() %}
        where local_date >= (select start_date - 29 from recompute_from)
    {%- endif %}
),

rolled as (
    select
        *,
        {%- for metric in rolled %}
        avg(case when is_reporting_day then {{ metric }} end) over last_7_days as {{ metric }}_avg_7d,
        avg(case when is_reporting_day then {{ metric }} end) over last_30_days as {{ metric }}_avg_30d,
        {%- endfor %}
        avg(data_completeness_pct) over last_7_days as data_completeness_pct_avg_7d,
        avg(data_completeness_pct) over last_30_days as data_completeness_pct_avg_30d,
        count(case when is_reporting_day then 1 end) over last_7_days as reporting_days_7d,
        count(case when is_reporting_day then 1 end) over last_30_days as reporting_days_30d,
        count(case when is_idle_day then 1 end) over last_7_days as idle_days_7d,
        count(case when is_idle_day then 1 end) over last_30_days as idle_days_30d,
        count(case when not has_data then 1 end) over last_7_days as silent_days_7d,
        count(case when not has_data then 1 end) over last_30_days as silent_days_30d,
        count(case when is_night_away_from_base then 1 end) over last_30_days as nights_away_from_base_30d,
        -- consecutive days up to today, capped at 30 (the window read back)
        {{ days_between('max(case when not is_idle_day then local_date end) over last_30_days', 'local_date') }}
            as idle_day_streak,
        {{ days_between('max(case when has_data then local_date end) over last_30_days', 'local_date') }}
            as silent_day_streak,
        count(*) over last_30_days as days_in_window_30d
    from flagged
    window
        last_7_days as (partition by asset_id order by local_date rows between 6 preceding and current row),
        last_30_days as (partition by asset_id order by local_date rows between 29 preceding and current row)
),

final as (
    select
        asset_id,
        account_id,
        local_date,
        has_data,
        records_received,
        data_completeness_pct,
        km_driven,
        active_minutes,
        night_active_minutes,
        charging_minutes,
        charging_sessions_started,
        avg_soc_pct,
        min_soc_pct,
        end_soc_pct,
        longest_gap_minutes,
        hours_since_last_signal,
        max_speed_kmh,
        avg_distance_from_base_km,
        max_distance_from_base_km,
        at_base_share_pct,
        is_night_away_from_base,
        work_visits,
        service_centre_visits,
        is_reporting_day,
        is_idle_day,
        {%- for metric in rolled %}
        {{ metric }}_avg_7d,
        {{ metric }}_avg_30d,
        case
            when {{ metric }}_avg_30d > 0 then {{ metric }}_avg_7d / {{ metric }}_avg_30d
        end as {{ metric }}_ratio_7d_30d,
        {%- endfor %}
        data_completeness_pct_avg_7d,
        data_completeness_pct_avg_30d,
        reporting_days_7d,
        reporting_days_30d,
        idle_days_7d,
        idle_days_30d,
        silent_days_7d,
        silent_days_30d,
        nights_away_from_base_30d,
        coalesce(idle_day_streak, days_in_window_30d) as idle_day_streak,
        coalesce(silent_day_streak, days_in_window_30d) as silent_day_streak
    from rolled
    {%- if is_incremental() %}
        where local_date >= (select start_date from recompute_from)
    {%- endif %}
)

select * from final
