{{ config(materialized='view') }}

with

pois as (
    select * from {{ ref('stg_fleet__pois') }}
),

asset_pois_joined as (
    select * from {{ ref('int_asset_pois_joined') }}
),

poi_visits_aggregated_daily as (
    select * from {{ ref('int_poi_visits_aggregated_daily') }}
),

asset_metrics_daily as (
    select * from {{ ref('asset_metrics_daily') }}
),

as_of as (
    select max(local_date) as as_of_date
    from asset_metrics_daily
),

linked as (
    select
        poi_id,
        count(distinct asset_id) as vehicles_linked
    from asset_pois_joined
    group by poi_id
),

visited as (
    select
        poi_visits_aggregated_daily.poi_id,
        sum(poi_visits_aggregated_daily.visits_started) as visits,
        max(poi_visits_aggregated_daily.local_date) as last_visit_on,
        sum(
            case
                when poi_visits_aggregated_daily.local_date > as_of.as_of_date - 30
                    then poi_visits_aggregated_daily.visits_started
                else 0
            end
        )
            as visits_30d,
        sum(
            case
                when poi_visits_aggregated_daily.local_date > as_of.as_of_date - 30
                    then poi_visits_aggregated_daily.minutes_at_poi
                else 0
            end
        )
            as minutes_at_poi_30d,
        count(
            distinct case
                when poi_visits_aggregated_daily.local_date > as_of.as_of_date - 30
                    then poi_visits_aggregated_daily.asset_id
            end
        )
            as vehicles_visiting_30d
    from poi_visits_aggregated_daily
    cross join as_of
    group by poi_visits_aggregated_daily.poi_id
),

final as (
    select
        pois.poi_id,
        cast(pois.poi_type as {{ type_text() }}) as poi_type,
        cast(pois.owner_type as {{ type_text() }}) as owner_type,
        cast(
            case
                when pois.owner_type = 'customer' then 'Borrower ' || replace(pois.poi_type, '_', ' ')
                else pois.poi_name
            end as {{ type_text() }}
        ) as poi_name,
        cast(case when pois.owner_type != 'customer' then pois.lat end as {{ type_double() }}) as lat,
        cast(case when pois.owner_type != 'customer' then pois.lon end as {{ type_double() }}) as lon,
        cast(pois.radius_m as {{ type_double() }}) as radius_m,
        cast(coalesce(linked.vehicles_linked, 0) as integer) as vehicles_linked,
        cast(coalesce(visited.visits, 0) as integer) as visits,
        cast(coalesce(visited.visits_30d, 0) as integer) as visits_30d,
        cast(coalesce(visited.vehicles_visiting_30d, 0) as integer) as vehicles_visiting_30d,
        cast(coalesce(visited.minutes_at_poi_30d, 0) as {{ type_double() }}) as minutes_at_poi_30d,
        visited.last_visit_on,
        (select as_of.as_of_date from as_of) as as_of_date
    from pois
    left join linked
        on pois.poi_id = linked.poi_id
    left join visited
        on pois.poi_id = visited.poi_id
)

select * from final
