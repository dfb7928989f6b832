{#-
    The metric columns of the wide per-entity-day tables that metric_values
    unpivots, by entity type (a metric's name is its column). `boolean` lists
    the flag columns stored as 1/0. A seed row naming a metric that is not
    here is rejected by tests/metrics/assert_active_metrics_are_computed.sql.
-#}
{% macro metric_columns() -%}
    {{ return({
        'asset': [
            'km_driven', 'active_minutes', 'night_active_minutes', 'charging_minutes', 'charging_sessions_started',
            'avg_soc_pct', 'min_soc_pct', 'end_soc_pct', 'data_completeness_pct', 'records_received',
            'longest_gap_minutes', 'hours_since_last_signal', 'max_speed_kmh', 'avg_distance_from_base_km',
            'max_distance_from_base_km', 'at_base_share_pct', 'is_night_away_from_base', 'work_visits',
            'service_centre_visits', 'km_driven_avg_7d', 'km_driven_avg_30d', 'km_driven_ratio_7d_30d',
            'active_minutes_ratio_7d_30d', 'charging_minutes_ratio_7d_30d', 'charging_sessions_started_ratio_7d_30d',
            'at_base_share_pct_ratio_7d_30d', 'data_completeness_pct_avg_7d', 'idle_days_30d', 'silent_days_30d',
            'idle_day_streak', 'silent_day_streak', 'nights_away_from_base_30d'
        ],
        'account': [
            'days_past_due', 'installments_overdue', 'arrears_amount', 'outstanding_principal_amount',
            'paid_ratio_to_date', 'paid_ratio_90d', 'days_since_last_payment', 'missed_payments_30d',
            'bounced_payments_30d', 'missed_payments_90d', 'bounced_payments_90d', 'partial_payments_90d',
            'fleet_assets_reporting', 'fleet_assets_silent', 'fleet_km_driven', 'fleet_km_driven_per_reporting_asset',
            'fleet_data_completeness_pct', 'fleet_min_data_completeness_pct', 'fleet_max_hours_since_last_signal',
            'fleet_at_base_share_pct', 'fleet_km_driven_ratio_7d_30d', 'fleet_active_minutes_ratio_7d_30d',
            'fleet_charging_minutes_ratio_7d_30d', 'fleet_max_idle_day_streak', 'fleet_max_silent_day_streak'
        ],
        'boolean': ['is_night_away_from_base'],
    }) }}
{%- endmacro %}
