{#-
    Every active metric of the registry (seed metric_definitions) is a column
    of its entity type's wide table, so metric_values computes it (macro
    metric_columns). Fails with the seed rows naming a metric no model
    computes: a typo, a wrong entity type, or a metric not built yet.
-#}
-- depends_on: {{ ref('asset_metrics_daily') }}
-- depends_on: {{ ref('account_metrics_daily') }}
{%- set columns = metric_columns() %}
{%- set computed = [] %}
{%- for entity_type in ['asset', 'account'] %}
{%- for name in columns[entity_type] %}
{%- do computed.append("'" ~ entity_type ~ ":" ~ name ~ "'") %}
{%- endfor %}
{%- endfor %}

select
    metric_definitions.name,
    metric_definitions.entity_type
from {{ ref('metric_definitions') }} as metric_definitions
where
    metric_definitions.is_active
    and (trim(metric_definitions.entity_type) || ':' || lower(trim(metric_definitions.name)))
    not in ({{ computed | join(', ') if computed else "''" }})
