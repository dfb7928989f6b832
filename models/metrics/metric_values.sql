{#-
    Built by unpivoting the wide per-entity-day tables in one pass each (a cross
    join with the active metric names); null values (e.g. distance from base
    before a base is known) are left out.

    Ids are deterministic (md5 of the natural key read as a uuid), so both
    engines and every rebuild give a row the same id. `computed_at` and
    `pipeline_run_id` (the dbt invocation) say when and by which run a row was
    written: they differ between runs by design and are the only columns an
    "incremental = full refresh" comparison must leave out.
-#}
{{ config(
    **incremental_config(['metric_name', 'entity_id', 'local_date'], spark_day_partition='local_date', day_column='local_date')
) }}

{%- set columns = metric_columns() %}


with

metric_definitions as (
    select * from {{ ref('metric_definitions') }}
),

asset_metrics_daily as (
    select * from {{ ref('asset_metrics_daily') }}
),

account_metrics_daily as (
    select * from {{ ref('account_metrics_daily') }}
),

{%- if is_incremental() %}

recompute_from as (
    select {{ recompute_from() }} as start_date
),
{%- endif %}

active_metrics as (
    -- metric_id once per metric here, not once per value row
    select
        *,
        {{ hash_uuid(['name']) }} as metric_id
    from metric_definitions
    where is_active
),

asset_values as (
    select
        metric_definitions.metric_id,
        metric_definitions.name as metric_name,
        metric_definitions.entity_type,
        wide.asset_id as entity_id,
        wide.local_date,
        {{ pick_metric_value('metric_definitions.name', 'wide', columns.asset, columns.boolean) }} as metric_value
    from asset_metrics_daily as wide
    inner join active_metrics as metric_definitions
        on metric_definitions.entity_type = 'asset'
    {%- if is_incremental() %}
        where wide.local_date >= (select start_date from recompute_from)
    {%- endif %}
),

account_values as (
    select
        metric_definitions.metric_id,
        metric_definitions.name as metric_name,
        metric_definitions.entity_type,
        wide.account_id as entity_id,
        wide.local_date,
        {{ pick_metric_value('metric_definitions.name', 'wide', columns.account, columns.boolean) }} as metric_value
    from account_metrics_daily as wide
    inner join active_metrics as metric_definitions
        on metric_definitions.entity_type = 'account'
    {%- if is_incremental() %}
        where wide.local_date >= (select start_date from recompute_from)
    {%- endif %}
),

unioned as (
    select * from asset_values
    union all
    select * from account_values
),

final as (
    select
        {{ hash_uuid(['metric_name', 'entity_id', 'local_date']) }} as id,
        metric_id,
        metric_name,
        entity_type,
        entity_id,
        local_date,
        cast(metric_value as numeric(18, 6)) as value,
        {{ local_midnight_utc('local_date') }} as period_start,
        {{ local_midnight_utc('local_date + 1') }} as period_end,
        {{ dbt.current_timestamp() }} as computed_at,
        cast('{{ invocation_id }}' as {{ type_uuid() }}) as pipeline_run_id
    from unioned
    where metric_value is not null
)

select * from final
