{#-
    Every active metric of the registry (seed metric_definitions) is one that
    metric_values computes for its entity type (macro metric_columns). Fails
    with the seed rows naming a metric no model computes: a typo, a wrong
    entity type, or a metric not built yet.
-#}
{%- set columns = metric_columns() %}

with

computed (entity_type, name) as (
    {%- for entity_type in ['asset', 'account'] %}
    {%- for name in columns[entity_type] %}
    select
        '{{ entity_type }}',
        '{{ name }}'
    {%- if not loop.last %} union all{% endif %}
    {%- endfor %}
        {%- if not loop.last %} union all{% endif %}
    {%- endfor %}
)

select
    metric_definitions.name,
    metric_definitions.entity_type
from {{ ref('metric_definitions') }} as metric_definitions
where
    metric_definitions.is_active
    and not exists (
        select 1
        from computed
        where
            computed.entity_type = metric_definitions.entity_type
            and computed.name = metric_definitions.name
    )
