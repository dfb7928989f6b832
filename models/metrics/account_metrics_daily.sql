{{ config(
    **incremental_config(['account_id', 'local_date'], spark_day_partition='local_date', day_column='local_date')
) }}

with

account_loan_state_daily as (
    select * from {{ ref('int_account_loan_state_daily') }}
),

asset_metrics_daily as (
    select * from {{ ref('asset_metrics_daily') }}
),

monitoring_window as (
    -- from the first day of telemetry; incremental: from the lookback days
    select min(local_date) as start_date
    from asset_metrics_daily
    {%- if is_incremental() %}
        where local_date >= {{ recompute_from() }}
    {%- endif %}
),

fleet_days as (
    select
        asset_metrics_daily.account_id,
        asset_metrics_daily.local_date,
        count(*) as assets_total,
        count(case when asset_metrics_daily.is_reporting_day then 1 end) as assets_reporting,
        count(case when not asset_metrics_daily.has_data then 1 end) as assets_silent,
        count(case when asset_metrics_daily.is_idle_day then 1 end) as assets_idle,
        sum(asset_metrics_daily.km_driven) as km_driven,
        sum(asset_metrics_daily.active_minutes) as active_minutes,
        sum(asset_metrics_daily.charging_minutes) as charging_minutes,
        sum(asset_metrics_daily.charging_sessions_started) as charging_sessions_started,
        avg(asset_metrics_daily.data_completeness_pct) as data_completeness_pct,
        min(asset_metrics_daily.data_completeness_pct) as min_data_completeness_pct,
        max(asset_metrics_daily.hours_since_last_signal) as max_hours_since_last_signal,
        avg(asset_metrics_daily.at_base_share_pct) as at_base_share_pct,
        max(asset_metrics_daily.max_distance_from_base_km) as max_distance_from_base_km,
        count(case when asset_metrics_daily.is_night_away_from_base then 1 end) as assets_night_away_from_base,
        sum(asset_metrics_daily.km_driven_avg_7d) as km_driven_sum_avg_7d,
        sum(asset_metrics_daily.km_driven_avg_30d) as km_driven_sum_avg_30d,
        sum(asset_metrics_daily.active_minutes_avg_7d) as active_minutes_sum_avg_7d,
        sum(asset_metrics_daily.active_minutes_avg_30d) as active_minutes_sum_avg_30d,
        sum(asset_metrics_daily.charging_minutes_avg_7d) as charging_minutes_sum_avg_7d,
        sum(asset_metrics_daily.charging_minutes_avg_30d) as charging_minutes_sum_avg_30d,
        avg(asset_metrics_daily.data_completeness_pct_avg_7d) as data_completeness_pct_avg_7d,
        avg(asset_metrics_daily.data_completeness_pct_avg_30d) as data_completeness_pct_avg_30d,
        max(asset_metrics_daily.idle_day_streak) as max_idle_day_streak,
        max(asset_metrics_daily.silent_day_streak) as max_silent_day_streak,
        sum(asset_metrics_daily.silent_days_30d) as silent_asset_days_30d,
        sum(asset_metrics_daily.nights_away_from_base_30d) as nights_away_from_base_30d
    from asset_metrics_daily
    where asset_metrics_daily.local_date >= (select monitoring_window.start_date from monitoring_window)
    group by asset_metrics_daily.account_id, asset_metrics_daily.local_date
),

final as (
    select
        account_loan_state_daily.account_id,
        account_loan_state_daily.local_date,
        account_loan_state_daily.days_on_book,
        account_loan_state_daily.days_past_due,
        account_loan_state_daily.dpd_bucket,
        account_loan_state_daily.installments_overdue,
        account_loan_state_daily.arrears_amount,
        account_loan_state_daily.outstanding_principal_amount,
        account_loan_state_daily.paid_ratio_to_date,
        account_loan_state_daily.paid_ratio_90d,
        account_loan_state_daily.days_since_last_payment,
        account_loan_state_daily.missed_payments_30d,
        account_loan_state_daily.bounced_payments_30d,
        account_loan_state_daily.partial_payments_30d,
        account_loan_state_daily.missed_payments_90d,
        account_loan_state_daily.bounced_payments_90d,
        account_loan_state_daily.partial_payments_90d,
        coalesce(fleet_days.assets_total, 0) as fleet_assets_total,
        coalesce(fleet_days.assets_reporting, 0) as fleet_assets_reporting,
        coalesce(fleet_days.assets_silent, 0) as fleet_assets_silent,
        coalesce(fleet_days.assets_idle, 0) as fleet_assets_idle,
        fleet_days.km_driven as fleet_km_driven,
        case
            when fleet_days.assets_reporting > 0 then fleet_days.km_driven / fleet_days.assets_reporting
        end as fleet_km_driven_per_reporting_asset,
        case
            when fleet_days.assets_reporting > 0 then fleet_days.active_minutes / fleet_days.assets_reporting
        end as fleet_active_minutes_per_reporting_asset,
        case
            when fleet_days.assets_reporting > 0 then fleet_days.charging_minutes / fleet_days.assets_reporting
        end as fleet_charging_minutes_per_reporting_asset,
        fleet_days.charging_sessions_started as fleet_charging_sessions_started,
        fleet_days.data_completeness_pct as fleet_data_completeness_pct,
        fleet_days.min_data_completeness_pct as fleet_min_data_completeness_pct,
        fleet_days.max_hours_since_last_signal as fleet_max_hours_since_last_signal,
        fleet_days.at_base_share_pct as fleet_at_base_share_pct,
        fleet_days.max_distance_from_base_km as fleet_max_distance_from_base_km,
        fleet_days.assets_night_away_from_base as fleet_assets_night_away_from_base,
        case
            when fleet_days.km_driven_sum_avg_30d > 0
                then fleet_days.km_driven_sum_avg_7d / fleet_days.km_driven_sum_avg_30d
        end as fleet_km_driven_ratio_7d_30d,
        case
            when fleet_days.active_minutes_sum_avg_30d > 0
                then fleet_days.active_minutes_sum_avg_7d / fleet_days.active_minutes_sum_avg_30d
        end as fleet_active_minutes_ratio_7d_30d,
        case
            when fleet_days.charging_minutes_sum_avg_30d > 0
                then fleet_days.charging_minutes_sum_avg_7d / fleet_days.charging_minutes_sum_avg_30d
        end as fleet_charging_minutes_ratio_7d_30d,
        fleet_days.data_completeness_pct_avg_7d as fleet_data_completeness_pct_avg_7d,
        fleet_days.data_completeness_pct_avg_30d as fleet_data_completeness_pct_avg_30d,
        fleet_days.max_idle_day_streak as fleet_max_idle_day_streak,
        fleet_days.max_silent_day_streak as fleet_max_silent_day_streak,
        fleet_days.silent_asset_days_30d as fleet_silent_asset_days_30d,
        fleet_days.nights_away_from_base_30d as fleet_nights_away_from_base_30d
    from account_loan_state_daily
    left join fleet_days
        on
            account_loan_state_daily.account_id = fleet_days.account_id
            and account_loan_state_daily.local_date = fleet_days.local_date
    where account_loan_state_daily.local_date >= (select monitoring_window.start_date from monitoring_window)
)

select * from final
