{#-
    Seed check for seeds/indicator_definitions.csv. Every bad row is named in
    the error (see macro raise_seed_problems): unknown method, direction, entity
    type or aggregation; a metric that the metric registry does not know (or of
    the wrong entity type); a weight that is not a number or is negative; an
    active flag that is not true/false; duplicate ids.
-#}
{{ config(tags=['seed_check']) }}

with

indicator_definitions as (
    select * from {{ ref('indicator_definitions') }}
),

known_metrics as (
    {{ indicator_known_metrics() }}
),

checked as (
    select
        indicator_definitions.*,
        'indicator_definitions row '
        || coalesce(nullif(trim(indicator_definitions.indicator_id), ''), '(blank indicator_id)')
        || ': ' as row_label,
        count(*) over (partition by trim(indicator_definitions.indicator_id)) as id_count,
        known_metrics.metric_name as known_metric,
        known_metrics.entity_type as metric_entity_type
    from indicator_definitions
    left join known_metrics
        on trim(indicator_definitions.metric_name) = known_metrics.metric_name
),

problems as (
    select row_label || 'indicator_id is blank' as problem
    from checked
    where coalesce(trim(indicator_id), '') = ''
    union all
    select row_label || 'indicator_id appears ' || cast(id_count as {{ dbt.type_string() }}) || ' times'
    from checked
    where id_count > 1
    union all
    select
        row_label || 'scoring_method ' || {{ quote_value('scoring_method') }}
        || ' is not one of static_rules, std_dev, ml_model'
    from checked
    where coalesce(trim(scoring_method), '') not in ('static_rules', 'std_dev', 'ml_model')
    union all
    select
        row_label || 'direction ' || {{ quote_value('direction') }}
        || ' is not higher_is_worse or lower_is_worse'
    from checked
    where coalesce(trim(direction), '') not in ('higher_is_worse', 'lower_is_worse')
    union all
    select row_label || 'entity_type ' || {{ quote_value('entity_type') }} || ' is not asset or account'
    from checked
    where coalesce(trim(entity_type), '') not in ('asset', 'account')
    union all
    select
        row_label || 'aggregation_type ' || {{ quote_value('aggregation_type') }}
        || ' is not atomic or composite'
    from checked
    where coalesce(trim(aggregation_type), '') not in ('atomic', 'composite')
    union all
    select row_label || 'weight ' || {{ quote_value('weight') }} || ' is not a number'
    from checked
    where not coalesce({{ text_is_number('weight') }}, false)
    union all
    select row_label || 'weight ' || {{ quote_value('weight') }} || ' is negative'
    from checked
    where {{ text_to_number('weight') }} < 0
    union all
    select row_label || 'is_active ' || {{ quote_value('is_active') }} || ' is not true or false'
    from checked
    where coalesce(lower(trim(is_active)), '') not in ('true', 'false')
    union all
    select row_label || 'a ' || trim(scoring_method) || ' indicator needs a metric_name'
    from checked
    where
        trim(aggregation_type) = 'atomic'
        and trim(scoring_method) in ('static_rules', 'std_dev')
        and coalesce(trim(metric_name), '') = ''
    union all
    select
        row_label || 'unknown metric ' || {{ quote_value('metric_name') }}
        || ' (not an active metric of metric_definitions)'
    from checked
    where coalesce(trim(metric_name), '') != '' and known_metric is null
    union all
    select
        row_label || 'metric ' || {{ quote_value('metric_name') }} || ' is a per-' || metric_entity_type
        || ' metric but the indicator is per-' || coalesce(trim(entity_type), '?')
    from checked
    where known_metric is not null and metric_entity_type != coalesce(trim(entity_type), '')
    union all
    select row_label || 'an ml_model indicator is per-account and has no metric_name (it reads the ML scores)'
    from checked
    where
        trim(scoring_method) = 'ml_model'
        and (trim(entity_type) != 'account' or coalesce(trim(metric_name), '') != '')
    union all
    select row_label || 'a composite indicator is per-account, static_rules, and has no metric_name'
    from checked
    where
        trim(aggregation_type) = 'composite'
        and (
            trim(entity_type) != 'account'
            or trim(scoring_method) != 'static_rules'
            or coalesce(trim(metric_name), '') != ''
        )
    union all
    select row_label || 'only one composite indicator may be active'
    from checked
    where
        trim(aggregation_type) = 'composite'
        and lower(trim(is_active)) = 'true'
        and (
            select count(*) from indicator_definitions as other
            where trim(other.aggregation_type) = 'composite' and lower(trim(other.is_active)) = 'true'
        ) > 1
)

{{ raise_seed_problems('problems', 'indicator_definitions') }}
