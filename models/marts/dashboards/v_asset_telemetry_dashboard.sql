{#-
    One row per financed vehicle per local day: the telemetry dashboard
    (activity, charging, signal, location), with the vehicle's labels.
-#}
{{ config(materialized='view') }}

with

asset_metrics as (
    select * from {{ ref('asset_metrics_daily') }}
),

asset_profiles as (
    select * from {{ ref('int_asset_profiles') }}
),

nights_located as (
    select * from {{ ref('int_asset_nights_located') }}
),

final as (
    select
        asset_metrics.asset_id,
        asset_profiles.account_id,
        cast(asset_profiles.oem_name as {{ type_text() }}) as oem_name,
        cast(asset_profiles.asset_model_name as {{ type_text() }}) as asset_model_name,
        cast(asset_profiles.vehicle_type as {{ type_text() }}) as vehicle_type,
        asset_metrics.local_date,
        asset_metrics.has_data,
        asset_metrics.is_idle_day,
        cast(asset_metrics.data_completeness_pct as {{ type_double() }}) as data_completeness_pct,
        cast(asset_metrics.km_driven as {{ type_double() }}) as km_driven,
        cast(asset_metrics.km_driven_avg_7d as {{ type_double() }}) as km_driven_avg_7d,
        cast(asset_metrics.km_driven_avg_30d as {{ type_double() }}) as km_driven_avg_30d,
        cast(asset_metrics.active_minutes as {{ type_double() }}) as active_minutes,
        cast(asset_metrics.night_active_minutes as {{ type_double() }}) as night_active_minutes,
        cast(asset_metrics.charging_minutes as {{ type_double() }}) as charging_minutes,
        cast(asset_metrics.charging_sessions_started as integer) as charging_sessions_started,
        cast(asset_metrics.avg_soc_pct as {{ type_double() }}) as avg_soc_pct,
        cast(asset_metrics.min_soc_pct as {{ type_double() }}) as min_soc_pct,
        cast(asset_metrics.hours_since_last_signal as {{ type_double() }}) as hours_since_last_signal,
        cast(asset_metrics.longest_gap_minutes as {{ type_double() }}) as longest_gap_minutes,
        cast(asset_metrics.at_base_share_pct as {{ type_double() }}) as at_base_share_pct,
        cast(asset_metrics.max_distance_from_base_km as {{ type_double() }}) as max_distance_from_base_km,
        asset_metrics.is_night_away_from_base,
        cast(nights_located.night_lat as {{ type_double() }}) as night_lat,
        cast(nights_located.night_lon as {{ type_double() }}) as night_lon
    from asset_metrics
    left join asset_profiles
        on asset_metrics.asset_id = asset_profiles.asset_id
    left join nights_located
        on
            asset_metrics.asset_id = nights_located.asset_id
            and asset_metrics.local_date = nights_located.local_date
)

select * from final
