{#-
    Asset indicators count at the account's worst asset that day; the weighted
    mean of the scored indicators (seed column `weight`; indicators without a
    score that day are left out and the weights renormalised) is scored 1..5 by
    the composite's cut points (score_static). The indicators with the largest
    weight x (score - 1) are kept as reasons (at most `top_reasons`, only scores
    of 2 or more). ML indicators never feed it: ML features read this model.
-#}
{{ config(**incremental_config(
    ['indicator_id', 'period_date'], definitions='int_indicator_parameters_typed', day_column='period_date'
)) }}

with

int_indicator_scores_atomic as (
    select * from {{ ref('int_indicator_scores_atomic') }}
),

int_indicator_parameters_typed as (
    select * from {{ ref('int_indicator_parameters_typed') }}
),

stg_fleet__assets as (
    select * from {{ ref('stg_fleet__assets') }}
),

composite_indicators as (
    select *
    from int_indicator_parameters_typed
    where is_active and aggregation_type = 'composite'
),

contributing_indicators as (
    select
        indicator_id,
        weight
    from int_indicator_parameters_typed
    where is_active and aggregation_type = 'atomic' and scoring_method != 'ml_model' and weight > 0
),

atomic_rows as (
    select
        int_indicator_scores_atomic.indicator_id,
        int_indicator_scores_atomic.entity_type,
        int_indicator_scores_atomic.entity_id,
        case
            when int_indicator_scores_atomic.entity_type = 'asset' then stg_fleet__assets.account_id
            else int_indicator_scores_atomic.entity_id
        end as account_id,
        int_indicator_scores_atomic.period_date,
        int_indicator_scores_atomic.score,
        contributing_indicators.weight
    from int_indicator_scores_atomic
    inner join contributing_indicators
        on int_indicator_scores_atomic.indicator_id = contributing_indicators.indicator_id
    left join stg_fleet__assets
        on
            int_indicator_scores_atomic.entity_type = 'asset'
            and int_indicator_scores_atomic.entity_id = stg_fleet__assets.asset_id
    cross join composite_indicators
    where {{ incremental_rescore_filter(
        'int_indicator_scores_atomic.period_date', 'composite_indicators.indicator_id', 'composite_indicators',
        'period_date', 'indicator_id', 'threshold_version') }}
),

account_indicator_scores as (
    -- one score per account, indicator and day: the worst of the account's assets
    select
        account_id,
        period_date,
        indicator_id,
        max(weight) as weight,
        max(score) as score,
        count(score) as scored_entities
    from atomic_rows
    where account_id is not null
    group by account_id, period_date, indicator_id
),

account_days as (
    select
        account_id,
        period_date,
        -- decimal sums (order-independent), rounded: a mean exactly on a cut point scores the same everywhere
        {{ round_decimal(
            'sum(case when score is not null then cast(weight as ' ~ dbt.type_numeric() ~ ') * score end)'
            ~ ' / nullif(sum(case when score is not null then cast(weight as ' ~ dbt.type_numeric()
            ~ ') end), 0)'
        ) }} as weighted_score,
        count(score) as indicators_scored,
        count(*) as indicators_present
    from account_indicator_scores
    group by account_id, period_date
),

ranked_reasons as (
    select
        account_id,
        period_date,
        indicator_id,
        score,
        weight,
        weight * (score - 1) as contribution,
        row_number() over (
            partition by account_id, period_date
            order by weight * (score - 1) desc, indicator_id
        ) as reason_rank
    from account_indicator_scores
    where score >= 2
),

reasons as (
    select
        ranked_reasons.account_id,
        ranked_reasons.period_date,
        {{ json_array_agg(json_build_object([
            "'indicator_id'", 'ranked_reasons.indicator_id',
            "'score'", 'ranked_reasons.score',
            "'weight'", 'ranked_reasons.weight',
            "'contribution'", round_decimal('ranked_reasons.contribution', 4),
        ]), 'ranked_reasons.reason_rank') }} as reasons
    from ranked_reasons
    cross join composite_indicators
    where ranked_reasons.reason_rank <= composite_indicators.top_reasons
    group by ranked_reasons.account_id, ranked_reasons.period_date
),

final as (
    select
        composite_indicators.indicator_id,
        'account' as entity_type,
        account_days.account_id as entity_id,
        account_days.period_date,
        case when account_days.weighted_score is null then 'insufficient_history' else 'scored' end as status,
        {{ score_static(
            'account_days.weighted_score',
            'composite_indicators.cut_2', 'composite_indicators.cut_3',
            'composite_indicators.cut_4', 'composite_indicators.cut_5', "'higher_is_worse'") }} as score,
        cast(account_days.weighted_score as {{ dbt.type_float() }}) as underlying_value,
        account_days.indicators_scored,
        account_days.indicators_present,
        'value' as cut_kind,
        composite_indicators.cut_2,
        composite_indicators.cut_3,
        composite_indicators.cut_4,
        composite_indicators.cut_5,
        reasons.reasons,
        composite_indicators.threshold_version
    from account_days
    cross join composite_indicators
    left join reasons
        on
            account_days.account_id = reasons.account_id
            and account_days.period_date = reasons.period_date
)

select * from final
