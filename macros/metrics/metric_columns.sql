{#-
    The metric columns metric_values unpivots, by entity type, read at execute
    time: the active rows of seed metric_definitions whose name is a column of
    the entity's wide table (asset_metrics_daily, account_metrics_daily).
    `boolean` lists those whose column is a boolean (stored as 1/0). A seed
    row naming no column is left out here and named by
    tests/metrics/assert_active_metrics_are_computed.sql. At parse time, or
    before the seed is loaded, every list is empty.
-#}
{% macro metric_columns() -%}
    {%- set columns = {'asset': [], 'account': [], 'boolean': []} -%}
    {%- if not execute or load_relation(ref('metric_definitions')) is none -%}
        {{ return(columns) }}
    {%- endif -%}
    {%- set registry = run_query(
        "select name, entity_type from " ~ ref('metric_definitions') ~ " where is_active order by name"
    ) -%}
    {%- set wide_tables = {'asset': ref('asset_metrics_daily'), 'account': ref('account_metrics_daily')} -%}
    {%- for entity_type, relation in wide_tables.items() -%}
        {%- set wide_columns = {} -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- do wide_columns.update({column.name | lower: column.dtype | lower}) -%}
        {%- endfor -%}
        {%- for row in registry.rows if row[1] | trim == entity_type and (row[0] | trim | lower) in wide_columns -%}
            {%- set name = row[0] | trim | lower -%}
            {%- do columns[entity_type].append(name) -%}
            {%- if wide_columns[name] in ('boolean', 'bool') -%}
                {%- do columns['boolean'].append(name) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}
