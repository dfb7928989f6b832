{#-
    The metrics an indicator may name in seeds/indicator_definitions.csv, as a
    query fragment (metric_name, entity_type): every active metric of the
    metric registry (seed `metric_definitions`, which `metric_values`
    follows). The seed check rejects any other name.
-#}
{% macro indicator_known_metrics() -%}
    select
        trim(metric_definitions.name) as metric_name,
        trim(metric_definitions.entity_type) as entity_type
    from {{ ref('metric_definitions') }} as metric_definitions
    where metric_definitions.is_active
{%- endmacro %}
