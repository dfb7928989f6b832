{#-
    Every metric value fits its definition's value type: `pct` within 0-100,
    `bool` 0 or 1, `int` a whole number. Fails with the offending values
    (metric, entity, day, value).
-#}
select
    metric_values.metric_name,
    metric_definitions.value_type,
    metric_values.entity_id,
    metric_values.local_date,
    metric_values.value
from {{ ref('metric_values') }} as metric_values
inner join {{ ref('metric_definitions') }} as metric_definitions
    on metric_values.metric_name = metric_definitions.name
where
    (metric_definitions.value_type = 'pct' and (metric_values.value < 0 or metric_values.value > 100))
    or (metric_definitions.value_type = 'bool' and metric_values.value not in (0, 1))
    or (metric_definitions.value_type = 'int' and metric_values.value != floor(metric_values.value))
