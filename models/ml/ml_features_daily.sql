{#-
    Point in time: every feature comes from rows of the day before the as-of day
    or earlier (account_metrics_daily rows up to features_through_date, rolling
    windows ending there); nothing of the as-of day or later. Labels and the
    delinquency flag come from int_account_days_labelled.
-#}
{%- set indicators = var('ml_indicator_features') %}
{%- set z_indicators = var('ml_zscore_features') %}

with

int_account_days_labelled as (
    select * from {{ ref('int_account_days_labelled') }}
),

account_metrics_daily as (
    select * from {{ ref('account_metrics_daily') }}
),

accounts as (
    select * from {{ ref('stg_loan_book__accounts') }}
),

int_account_rule_scores_pivoted as (
    select * from {{ ref('int_account_rule_scores_pivoted') }}
),

int_account_payment_trends as (
    select * from {{ ref('int_account_payment_trends') }}
),

windowed as (
    -- rolling windows over the account's own days, each ending on the row's day
    select
        account_id,
        local_date,
        max(days_past_due) over last_90_days as max_dpd_90d,
        max(days_past_due) over last_180_days as max_dpd_180d,
        avg(fleet_km_driven_per_reporting_asset) over last_7_days as km_per_asset_avg_7d,
        avg(fleet_km_driven_per_reporting_asset) over last_30_days as km_per_asset_avg_30d,
        avg(fleet_km_driven_per_reporting_asset) over days_31_to_90_ago as km_per_asset_avg_31_90d,
        avg(fleet_charging_minutes_per_reporting_asset) over last_30_days as charging_minutes_per_asset_avg_30d,
        avg(fleet_charging_minutes_per_reporting_asset) over days_31_to_90_ago
            as charging_minutes_per_asset_avg_31_90d,
        avg(fleet_at_base_share_pct) over last_7_days as at_base_share_pct_avg_7d,
        avg(fleet_at_base_share_pct) over days_31_to_90_ago as at_base_share_pct_avg_31_90d,
        avg(fleet_data_completeness_pct) over days_31_to_90_ago as data_completeness_pct_avg_31_90d,
        -- earnings proxies: driving on working days (Monday to Friday) against the account's own past
        avg(case when {{ day_of_week('local_date') }} between 1 and 5 then fleet_km_driven_per_reporting_asset end)
            over last_30_days as working_day_km_avg_30d,
        avg(case when {{ day_of_week('local_date') }} between 1 and 5 then fleet_km_driven_per_reporting_asset end)
            over days_31_to_180_ago as working_day_km_avg_31_180d,
        avg(
            case when {{ day_of_week('local_date') }} between 1 and 5 then fleet_active_minutes_per_reporting_asset end
        ) over last_30_days as working_day_active_minutes_avg_30d,
        avg(
            case when {{ day_of_week('local_date') }} between 1 and 5 then fleet_active_minutes_per_reporting_asset end
        ) over days_31_to_180_ago as working_day_active_minutes_avg_31_180d
    from account_metrics_daily
    window
        last_7_days as (partition by account_id order by local_date rows between 6 preceding and current row),
        last_30_days as (partition by account_id order by local_date rows between 29 preceding and current row),
        last_90_days as (partition by account_id order by local_date rows between 89 preceding and current row),
        last_180_days as (
            partition by account_id order by local_date rows between 179 preceding and current row
        ),
        days_31_to_90_ago as (
            partition by account_id order by local_date rows between 89 preceding and 30 preceding
        ),
        days_31_to_180_ago as (
            partition by account_id order by local_date rows between 179 preceding and 30 preceding
        )
),

final as (
    select
        int_account_days_labelled.account_id,
        int_account_days_labelled.as_of_date,
        int_account_days_labelled.features_through_date,
        int_account_days_labelled.is_delinquent_at_as_of,

        -- the loan
        cast(account_metrics_daily.days_on_book as {{ dbt.type_float() }}) as acct_days_on_book,
        cast(accounts.loan_amount as {{ dbt.type_float() }}) as acct_loan_amount,
        cast(accounts.tenure_months as {{ dbt.type_float() }}) as acct_tenure_months,
        cast(accounts.interest_rate as {{ dbt.type_float() }}) as acct_interest_rate,
        cast(account_metrics_daily.outstanding_principal_amount as {{ dbt.type_float() }})
        / nullif(cast(accounts.loan_amount as {{ dbt.type_float() }}), 0) as acct_outstanding_share,
        cast(account_metrics_daily.fleet_assets_total as {{ dbt.type_float() }}) as acct_vehicles,
        -- seasonality of the as-of day (income is seasonal)
        sin(2 * pi() * extract(doy from int_account_days_labelled.as_of_date) / 365.25) as acct_season_sin,
        cos(2 * pi() * extract(doy from int_account_days_labelled.as_of_date) / 365.25) as acct_season_cos,

        -- repayment history
        cast(account_metrics_daily.days_past_due as {{ dbt.type_float() }}) as pay_days_past_due,
        cast(windowed.max_dpd_90d as {{ dbt.type_float() }}) as pay_max_dpd_90d,
        cast(windowed.max_dpd_180d as {{ dbt.type_float() }}) as pay_max_dpd_180d,
        cast(int_account_days_labelled.prior_dpd30_episodes as {{ dbt.type_float() }}) as pay_prior_dpd30_episodes,
        cast(account_metrics_daily.installments_overdue as {{ dbt.type_float() }}) as pay_installments_overdue,
        100 * cast(account_metrics_daily.arrears_amount as {{ dbt.type_float() }})
        / nullif(cast(accounts.loan_amount as {{ dbt.type_float() }}), 0) as pay_arrears_pct_of_loan,
        cast(account_metrics_daily.paid_ratio_to_date as {{ dbt.type_float() }}) as pay_paid_ratio_to_date,
        cast(account_metrics_daily.paid_ratio_90d as {{ dbt.type_float() }}) as pay_paid_ratio_90d,
        cast(account_metrics_daily.days_since_last_payment as {{ dbt.type_float() }}) as pay_days_since_last_payment,
        cast(account_metrics_daily.missed_payments_30d as {{ dbt.type_float() }}) as pay_missed_30d,
        cast(account_metrics_daily.bounced_payments_30d as {{ dbt.type_float() }}) as pay_bounced_30d,
        cast(account_metrics_daily.partial_payments_30d as {{ dbt.type_float() }}) as pay_partial_30d,
        cast(account_metrics_daily.missed_payments_90d as {{ dbt.type_float() }}) as pay_missed_90d,
        cast(account_metrics_daily.bounced_payments_90d as {{ dbt.type_float() }}) as pay_bounced_90d,
        cast(account_metrics_daily.partial_payments_90d as {{ dbt.type_float() }}) as pay_partial_90d,
        cast(int_account_payment_trends.days_late_last_installment as {{ dbt.type_float() }})
            as pay_days_late_last_installment,
        cast(int_account_payment_trends.days_late_second_last_installment as {{ dbt.type_float() }})
            as pay_days_late_second_last_installment,
        cast(int_account_payment_trends.days_late_third_last_installment as {{ dbt.type_float() }})
            as pay_days_late_third_last_installment,
        cast(int_account_payment_trends.days_to_next_due as {{ dbt.type_float() }}) as pay_days_to_next_due,
        int_account_payment_trends.next_due_to_usual_payment_ratio as pay_next_due_to_usual_payment_ratio,

        -- telemetry of the account's vehicles
        windowed.km_per_asset_avg_7d as tel_km_per_vehicle_avg_7d,
        windowed.km_per_asset_avg_30d as tel_km_per_vehicle_avg_30d,
        account_metrics_daily.fleet_km_driven_ratio_7d_30d as tel_km_ratio_7d_30d,
        windowed.km_per_asset_avg_30d / nullif(windowed.km_per_asset_avg_31_90d, 0) as tel_km_ratio_30d_prior_60d,
        account_metrics_daily.fleet_active_minutes_ratio_7d_30d as tel_active_minutes_ratio_7d_30d,
        account_metrics_daily.fleet_charging_minutes_ratio_7d_30d as tel_charging_minutes_ratio_7d_30d,
        windowed.charging_minutes_per_asset_avg_30d
        / nullif(windowed.charging_minutes_per_asset_avg_31_90d, 0) as tel_charging_minutes_ratio_30d_prior_60d,
        windowed.at_base_share_pct_avg_7d as tel_at_base_share_pct_avg_7d,
        windowed.at_base_share_pct_avg_7d - windowed.at_base_share_pct_avg_31_90d
            as tel_at_base_share_change_pts,
        cast(account_metrics_daily.fleet_max_distance_from_base_km as {{ dbt.type_float() }})
            as tel_max_distance_from_base_km,
        cast(account_metrics_daily.fleet_nights_away_from_base_30d as {{ dbt.type_float() }})
        / nullif(account_metrics_daily.fleet_assets_total, 0) as tel_nights_away_from_base_30d,
        account_metrics_daily.fleet_data_completeness_pct_avg_7d as tel_data_completeness_pct_avg_7d,
        account_metrics_daily.fleet_data_completeness_pct_avg_30d as tel_data_completeness_pct_avg_30d,
        account_metrics_daily.fleet_data_completeness_pct_avg_30d
        - windowed.data_completeness_pct_avg_31_90d as tel_data_completeness_change_pts,
        cast(account_metrics_daily.fleet_max_hours_since_last_signal as {{ dbt.type_float() }})
            as tel_max_hours_since_last_signal,
        cast(account_metrics_daily.fleet_max_idle_day_streak as {{ dbt.type_float() }}) as tel_max_idle_day_streak,
        cast(account_metrics_daily.fleet_max_silent_day_streak as {{ dbt.type_float() }})
            as tel_max_silent_day_streak,
        cast(account_metrics_daily.fleet_silent_asset_days_30d as {{ dbt.type_float() }})
        / nullif(account_metrics_daily.fleet_assets_total, 0) as tel_silent_days_per_vehicle_30d,
        windowed.working_day_km_avg_30d / nullif(windowed.working_day_km_avg_31_180d, 0)
            as tel_working_day_km_ratio_30d_prior_150d,
        windowed.working_day_active_minutes_avg_30d / 60.0 as tel_working_day_active_hours_30d,
        windowed.working_day_active_minutes_avg_30d / nullif(windowed.working_day_active_minutes_avg_31_180d, 0)
            as tel_working_day_active_hours_ratio_30d_prior_150d,
        {%- for indicator in z_indicators %}
        int_account_rule_scores_pivoted.z_{{ indicator }} as tel_z_{{ indicator }},
        {%- endfor %}

        -- rule-based indicator scores (1-5) of the day
        {%- for indicator in indicators %}
        cast(int_account_rule_scores_pivoted.ind_{{ indicator }} as {{ dbt.type_float() }}) as ind_{{ indicator }},
        {%- endfor %}

        int_account_days_labelled.label_dpd30_30d,
        int_account_days_labelled.label_dpd30_90d,
        int_account_days_labelled.label_dpd30_180d,
        int_account_days_labelled.label_roll_dpd30,
        {{ days_between('int_account_days_labelled.as_of_date', 'int_account_days_labelled.next_dpd30_date') }}
            as label_days_to_dpd30,
        int_account_days_labelled.days_observed as label_days_observed
    from int_account_days_labelled
    inner join account_metrics_daily
        on
            int_account_days_labelled.account_id = account_metrics_daily.account_id
            and int_account_days_labelled.features_through_date = account_metrics_daily.local_date
    inner join windowed
        on
            int_account_days_labelled.account_id = windowed.account_id
            and int_account_days_labelled.features_through_date = windowed.local_date
    inner join accounts
        on int_account_days_labelled.account_id = accounts.account_id
    left join int_account_rule_scores_pivoted
        on
            int_account_days_labelled.account_id = int_account_rule_scores_pivoted.account_id
            and int_account_days_labelled.features_through_date = int_account_rule_scores_pivoted.period_date
    left join int_account_payment_trends
        on
            int_account_days_labelled.account_id = int_account_payment_trends.account_id
            and int_account_days_labelled.features_through_date = int_account_payment_trends.local_date
)

select * from final
