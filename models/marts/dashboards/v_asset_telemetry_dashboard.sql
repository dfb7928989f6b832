{{ config(materialized='view') }}

with

asset_metrics_daily as (
    select * from {{ ref('asset_metrics_daily') }}
),

asset_profiles as (
    select * from {{ ref('int_asset_profiles') }}
),

asset_nights_located as (
    select * from {{ ref('int_asset_nights_located') }}
),

final as (
    select
        asset_metrics_daily.asset_id,
        asset_profiles.account_id,
        cast(asset_profiles.oem_name as {{ type_text() }}) as oem_name,
        cast(asset_profiles.asset_model_name as {{ type_text() }}) as asset_model_name,
        cast(asset_profiles.vehicle_type as {{ type_text() }}) as vehicle_type,
        asset_metrics_daily.local_date,
        asset_metrics_daily.has_data,
        asset_metrics_daily.is_idle_day,
        cast(asset_metrics_daily.data_completeness_pct as {{ type_double() }}) as data_completeness_pct,
        cast(asset_metrics_daily.km_driven as {{ type_double() }}) as km_driven,
        cast(asset_metrics_daily.km_driven_avg_7d as {{ type_double() }}) as km_driven_avg_7d,
        cast(asset_metrics_daily.km_driven_avg_30d as {{ type_double() }}) as km_driven_avg_30d,
        cast(asset_metrics_daily.active_minutes as {{ type_double() }}) as active_minutes,
        cast(asset_metrics_daily.night_active_minutes as {{ type_double() }}) as night_active_minutes,
        cast(asset_metrics_daily.charging_minutes as {{ type_double() }}) as charging_minutes,
        cast(asset_metrics_daily.charging_sessions_started as integer) as charging_sessions_started,
        cast(asset_metrics_daily.avg_soc_pct as {{ type_double() }}) as avg_soc_pct,
        cast(asset_metrics_daily.min_soc_pct as {{ type_double() }}) as min_soc_pct,
        cast(asset_metrics_daily.hours_since_last_signal as {{ type_double() }}) as hours_since_last_signal,
        cast(asset_metrics_daily.longest_gap_minutes as {{ type_double() }}) as longest_gap_minutes,
        cast(asset_metrics_daily.at_base_share_pct as {{ type_double() }}) as at_base_share_pct,
        cast(asset_metrics_daily.max_distance_from_base_km as {{ type_double() }}) as max_distance_from_base_km,
        asset_metrics_daily.is_night_away_from_base,
        cast(asset_nights_located.night_lat as {{ type_double() }}) as night_lat,
        cast(asset_nights_located.night_lon as {{ type_double() }}) as night_lon
    from asset_metrics_daily
    left join asset_profiles
        on asset_metrics_daily.asset_id = asset_profiles.asset_id
    left join asset_nights_located
        on
            asset_metrics_daily.asset_id = asset_nights_located.asset_id
            and asset_metrics_daily.local_date = asset_nights_located.local_date
)

select * from final
