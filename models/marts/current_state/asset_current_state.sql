{#-
    Pre-joined for Metabase.
-#}
with

asset_metrics_daily as (
    select * from {{ ref('asset_metrics_daily') }}
),

asset_profiles as (
    select * from {{ ref('int_asset_profiles') }}
),

asset_recoverability as (
    select * from {{ ref('int_asset_recoverability') }}
),

entity_indicators_latest as (
    select * from {{ ref('int_entity_indicators_latest') }}
),

entity_events_open as (
    select * from {{ ref('int_entity_events_open') }}
),

latest_metrics as (
    select
        *,
        row_number() over (partition by asset_id order by local_date desc) as recency
    from asset_metrics_daily
),

final as (
    select
        asset_profiles.asset_id,
        asset_profiles.account_id,
        asset_profiles.customer_id,
        cast(asset_profiles.asset_status as {{ type_text() }}) as asset_status,
        cast(asset_profiles.vehicle_type as {{ type_text() }}) as vehicle_type,
        cast(asset_profiles.oem_name as {{ type_text() }}) as oem_name,
        cast(asset_profiles.asset_model_name as {{ type_text() }}) as asset_model_name,
        cast(latest_metrics.local_date as date) as as_of_date,
        cast(asset_recoverability.last_signal_at as {{ type_timestamptz() }}) as last_signal_at,
        cast(latest_metrics.hours_since_last_signal as {{ type_double() }}) as hours_since_last_signal,
        coalesce(asset_recoverability.is_device_alive, false) as is_device_alive,
        cast(latest_metrics.data_completeness_pct_avg_7d as {{ type_double() }}) as data_completeness_pct_avg_7d,
        cast(latest_metrics.km_driven_avg_7d as {{ type_double() }}) as km_driven_avg_7d,
        cast(latest_metrics.km_driven_avg_30d as {{ type_double() }}) as km_driven_avg_30d,
        cast(latest_metrics.km_driven_ratio_7d_30d as {{ type_double() }}) as km_driven_ratio_7d_30d,
        cast(latest_metrics.idle_day_streak as integer) as idle_day_streak,
        cast(latest_metrics.silent_day_streak as integer) as silent_day_streak,
        cast(latest_metrics.charging_sessions_started_avg_7d as {{ type_double() }})
            as charging_sessions_avg_7d,
        cast(asset_recoverability.last_soc_pct as {{ type_double() }}) as last_soc_pct,
        cast(latest_metrics.at_base_share_pct_avg_7d as {{ type_double() }}) as at_base_share_pct_avg_7d,
        cast(latest_metrics.nights_away_from_base_30d as integer) as nights_away_from_base_30d,
        cast(asset_recoverability.base_source as {{ type_text() }}) as base_source,
        cast(asset_recoverability.base_lat as {{ type_double() }}) as base_lat,
        cast(asset_recoverability.base_lon as {{ type_double() }}) as base_lon,
        cast(asset_recoverability.located_on as date) as last_located_on,
        cast(asset_recoverability.located_lat as {{ type_double() }}) as last_located_lat,
        cast(asset_recoverability.located_lon as {{ type_double() }}) as last_located_lon,
        coalesce(asset_recoverability.is_located, false) as is_located,
        coalesce(asset_recoverability.is_located_at_base, false) as is_located_at_base,
        cast(coalesce(asset_recoverability.recoverability_factor, 1.0) as {{ type_double() }}) as recoverability_factor,
        cast(entity_indicators_latest.scored_on as date) as indicators_scored_on,
        cast(entity_indicators_latest.worst_indicator_score as integer) as worst_indicator_score,
        cast(entity_indicators_latest.worst_indicator as {{ type_text() }}) as worst_indicator,
        cast(entity_indicators_latest.indicator_reasons as {{ type_text() }}) as indicator_reasons,
        cast(coalesce(entity_events_open.open_events, 0) as integer) as open_events,
        cast(coalesce(entity_events_open.open_actionable_events, 0) as integer) as open_actionable_events,
        cast(entity_events_open.max_open_severity as integer) as max_open_severity,
        cast(entity_events_open.open_event_names as {{ type_text() }}) as open_event_names,
        cast(entity_events_open.recommended_action as {{ type_text() }}) as recommended_action
    from asset_profiles
    left join latest_metrics
        on
            asset_profiles.asset_id = latest_metrics.asset_id
            and latest_metrics.recency = 1
    left join asset_recoverability
        on asset_profiles.asset_id = asset_recoverability.asset_id
    left join entity_indicators_latest
        on
            entity_indicators_latest.entity_type = 'asset'
            and asset_profiles.asset_id = entity_indicators_latest.entity_id
    left join entity_events_open
        on
            entity_events_open.entity_type = 'asset'
            and asset_profiles.asset_id = entity_events_open.entity_id
)

select * from final
