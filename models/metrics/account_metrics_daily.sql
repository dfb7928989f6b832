{#-
    One row per loan account per local day of the monitoring window (from the
    first day of telemetry to the as-of date): the account's loan state and
    the telemetry of its 1-5 vehicles rolled up (totals, per reporting
    vehicle, worst vehicle). The account-level input of indicators and of the
    ML feature table.

    Incremental: recomputes the last var('telemetry_lookback_days') days and
    the new ones.
-#}
{{ config(
    **incremental_config(['account_id', 'local_date'], spark_day_partition='local_date')
) }}

with

loan_state as (
    select * from {{ ref('int_account_loan_state_daily') }}
),

asset_days as (
    select * from {{ ref('asset_metrics_daily') }}
),

monitoring_window as (
    -- from the first day of telemetry; incremental: from the lookback days
    select min(local_date) as start_date
    from asset_days
    {%- if is_incremental() %}
        where local_date >= (select max(local_date) - {{ var('telemetry_lookback_days') }} from {{ this }})
    {%- endif %}
),

fleet_days as (
    select
        asset_days.account_id,
        asset_days.local_date,
        count(*) as assets_total,
        count(case when asset_days.is_reporting_day then 1 end) as assets_reporting,
        count(case when not asset_days.has_data then 1 end) as assets_silent,
        count(case when asset_days.is_idle_day then 1 end) as assets_idle,
        sum(asset_days.km_driven) as km_driven,
        sum(asset_days.active_minutes) as active_minutes,
        sum(asset_days.charging_minutes) as charging_minutes,
        sum(asset_days.charging_sessions_started) as charging_sessions_started,
        avg(asset_days.data_completeness_pct) as data_completeness_pct,
        min(asset_days.data_completeness_pct) as min_data_completeness_pct,
        max(asset_days.hours_since_last_signal) as max_hours_since_last_signal,
        avg(asset_days.at_base_share_pct) as at_base_share_pct,
        max(asset_days.max_distance_from_base_km) as max_distance_from_base_km,
        count(case when asset_days.is_night_away_from_base then 1 end) as assets_night_away_from_base,
        sum(asset_days.km_driven_avg_7d) as km_driven_sum_avg_7d,
        sum(asset_days.km_driven_avg_30d) as km_driven_sum_avg_30d,
        sum(asset_days.active_minutes_avg_7d) as active_minutes_sum_avg_7d,
        sum(asset_days.active_minutes_avg_30d) as active_minutes_sum_avg_30d,
        sum(asset_days.charging_minutes_avg_7d) as charging_minutes_sum_avg_7d,
        sum(asset_days.charging_minutes_avg_30d) as charging_minutes_sum_avg_30d,
        avg(asset_days.data_completeness_pct_avg_7d) as data_completeness_pct_avg_7d,
        avg(asset_days.data_completeness_pct_avg_30d) as data_completeness_pct_avg_30d,
        max(asset_days.idle_day_streak) as max_idle_day_streak,
        max(asset_days.silent_day_streak) as max_silent_day_streak,
        sum(asset_days.silent_days_30d) as silent_asset_days_30d,
        sum(asset_days.nights_away_from_base_30d) as nights_away_from_base_30d
    from asset_days
    where asset_days.local_date >= (select monitoring_window.start_date from monitoring_window)
    group by asset_days.account_id, asset_days.local_date
),

final as (
    select
        loan_state.account_id,
        loan_state.local_date,
        loan_state.days_on_book,
        loan_state.days_past_due,
        loan_state.dpd_bucket,
        loan_state.installments_overdue,
        loan_state.arrears_amount,
        loan_state.outstanding_principal_amount,
        loan_state.paid_ratio_to_date,
        loan_state.paid_ratio_90d,
        loan_state.days_since_last_payment,
        loan_state.missed_payments_30d,
        loan_state.bounced_payments_30d,
        loan_state.partial_payments_30d,
        loan_state.missed_payments_90d,
        loan_state.bounced_payments_90d,
        loan_state.partial_payments_90d,
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
    from loan_state
    left join fleet_days
        on
            loan_state.account_id = fleet_days.account_id
            and loan_state.local_date = fleet_days.local_date
    where loan_state.local_date >= (select monitoring_window.start_date from monitoring_window)
)

select * from final
