{#-
    Custom incremental strategy `replace_partitions` (config
    `incremental_strategy='replace_partitions'`): like delete+insert on
    `unique_key`, except that the new batch may also hold marker rows (the
    column named by config `partition_marker_column` is null) whose only job
    is to name a partition (unique_key values) to empty.

        1. delete every target row whose partition appears in the batch;
        2. insert the batch's rows that are not markers.

    `events` uses it with unique_key = (event_definition_id, entity_id): an
    incremental run recomputes all episodes of the entities it looks at, and a
    marker makes sure an entity whose episodes have all gone (late data, a
    changed threshold) loses its old rows too, as a full refresh would.
    Only emit markers when is_incremental(): a full refresh builds the table
    straight from the model's rows.
-#}
{% macro get_incremental_replace_partitions_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set keys = arg_dict['unique_key'] -%}
    {%- if keys is string -%}{%- set keys = [keys] -%}{%- endif -%}
    {%- set marker = config.get('partition_marker_column') -%}
    {%- if not keys or not marker -%}
        {{ exceptions.raise_compiler_error(
            "replace_partitions needs unique_key (the partition columns) and partition_marker_column") }}
    {%- endif -%}
    {%- set columns = arg_dict['dest_columns'] | map(attribute='quoted') | join(', ') -%}

    delete from {{ target }} as existing
    where exists (
        select 1
        from {{ source }} as batch
        where
            {%- for key in keys %}
            batch.{{ key }} = existing.{{ key }}{% if not loop.last %} and{% endif %}
            {%- endfor %}
    );

    insert into {{ target }} ({{ columns }})
    select {{ columns }}
    from {{ source }}
    where {{ marker }} is not null
{%- endmacro %}
