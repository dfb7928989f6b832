{#-
    Every active metric of the registry (seed metric_definitions) has values in
    metric_values. Warns with the active metrics that have none: on a real
    portfolio that means a metric null everywhere (a broken input); on a tiny
    test portfolio it can be legitimate (a 7-vs-30-day ratio of a few days
    without charging). A metric no model computes at all is an error of
    assert_active_metrics_are_computed.
-#}
{{ config(severity='warn') }}
select metric_definitions.name
from {{ ref('metric_definitions') }} as metric_definitions
where
    metric_definitions.is_active
    and not exists (
        select 1
        from {{ ref('metric_values') }} as metric_values
        where metric_values.metric_name = metric_definitions.name
    )
