{#-
    For an account the reasons also cover its vehicles' indicators that day,
    ranked like the composite ranks its contributors (largest weight x (score -
    1) first).
-#}
{%- set top_reasons = 3 %}

with

indicator_values as (
    select * from {{ ref('indicator_values') }}
),

indicator_parameters_typed as (
    select * from {{ ref('int_indicator_parameters_typed') }}
),

assets_joined as (
    select * from {{ ref('int_assets_joined') }}
),

scored as (
    select
        indicator_values.entity_type,
        indicator_values.entity_id,
        indicator_values.indicator_id,
        indicator_values.period_date,
        indicator_values.score,
        indicator_values.underlying_value,
        indicator_parameters_typed.display_name,
        indicator_parameters_typed.aggregation_type,
        indicator_parameters_typed.scoring_method,
        indicator_parameters_typed.weight
    from indicator_values
    inner join indicator_parameters_typed
        on indicator_values.indicator_id = indicator_parameters_typed.indicator_id
    where indicator_values.score is not null
),

entity_days as (
    select
        entity_type,
        entity_id,
        max(period_date) as scored_on
    from scored
    group by entity_type, entity_id
),

latest as (
    select scored.*
    from scored
    inner join entity_days
        on
            scored.entity_type = entity_days.entity_type
            and scored.entity_id = entity_days.entity_id
            and scored.period_date = entity_days.scored_on
),

-- an account's reasons: its own atomic indicators and its vehicles' that day
reason_candidates as (
    select
        entity_type,
        entity_id,
        indicator_id,
        display_name,
        score,
        weight
    from latest
    where aggregation_type = 'atomic' and scoring_method != 'ml_model'
    union all
    select
        'account' as entity_type,
        assets_joined.account_id as entity_id,
        latest.indicator_id,
        latest.display_name,
        latest.score,
        latest.weight
    from latest
    inner join assets_joined
        on latest.entity_id = assets_joined.asset_id
    inner join entity_days as account_days
        on
            account_days.entity_type = 'account'
            and assets_joined.account_id = account_days.entity_id
            and latest.period_date = account_days.scored_on
    where latest.entity_type = 'asset' and latest.aggregation_type = 'atomic'
),

reasons as (
    -- one row per entity and indicator (an account's worst vehicle for asset indicators)
    select
        entity_type,
        entity_id,
        indicator_id,
        display_name,
        max(score) as score,
        max(weight) * (max(score) - 1) as contribution
    from reason_candidates
    group by entity_type, entity_id, indicator_id, display_name
),

reason_lists as (
    select
        entity_type,
        entity_id,
        {{ dbt.listagg(
            "display_name || ' ' || cast(score as " ~ dbt.type_string() ~ ") || '/5'",
            "'; '",
            "order by contribution desc, score desc, indicator_id asc",
            top_reasons,
        ) }} as indicator_reasons
    from reasons
    where score >= 2
    group by entity_type, entity_id
),

worst as (
    select
        entity_type,
        entity_id,
        indicator_id,
        display_name,
        score,
        row_number() over (
            partition by entity_type, entity_id order by score desc, weight desc, indicator_id asc
        ) as worst_rank
    from latest
    where aggregation_type = 'atomic' and scoring_method != 'ml_model'
),

composite as (
    select
        entity_id,
        score,
        underlying_value
    from latest
    where aggregation_type = 'composite'
),

final as (
    select
        entity_days.entity_type,
        entity_days.entity_id,
        entity_days.scored_on,
        worst.score as worst_indicator_score,
        worst.display_name as worst_indicator,
        composite.score as risk_score,
        composite.underlying_value as risk_value,
        reason_lists.indicator_reasons
    from entity_days
    left join worst
        on
            entity_days.entity_id = worst.entity_id
            and entity_days.entity_type = worst.entity_type
            and worst.worst_rank = 1
    left join composite
        on entity_days.entity_id = composite.entity_id
    left join reason_lists
        on
            entity_days.entity_id = reason_lists.entity_id
            and entity_days.entity_type = reason_lists.entity_type
)

select * from final
