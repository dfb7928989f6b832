{#-
    For the std-dev indicators (var ml_zscore_features) also the z-score against
    the vehicle's own history (z_<indicator_id>, oriented so that higher is
    worse), at the account's worst vehicle.
-#}
{%- set indicators = var('ml_indicator_features') %}
{%- set z_indicators = var('ml_zscore_features') %}

with

int_indicator_scores_rules as (
    select * from {{ ref('int_indicator_scores_rules') }}
),

assets as (
    select * from {{ ref('stg_fleet__assets') }}
),

account_scores as (
    select
        int_indicator_scores_rules.period_date,
        int_indicator_scores_rules.indicator_id,
        case
            when int_indicator_scores_rules.entity_type = 'asset' then assets.account_id
            else int_indicator_scores_rules.entity_id
        end as account_id,
        int_indicator_scores_rules.score,
        int_indicator_scores_rules.z_score
    from int_indicator_scores_rules
    left join assets
        on
            int_indicator_scores_rules.entity_type = 'asset'
            and int_indicator_scores_rules.entity_id = assets.asset_id
    where int_indicator_scores_rules.score is not null
),

final as (
    select
        account_id,
        period_date,
        {%- for indicator in indicators %}
        max(case when indicator_id = '{{ indicator }}' then score end) as ind_{{ indicator }},
        {%- endfor %}
        {%- for indicator in z_indicators %}
        max(case when indicator_id = '{{ indicator }}' then z_score end) as z_{{ indicator }},
        {%- endfor %}
        count(distinct indicator_id) as indicators_scored
    from account_scores
    where account_id is not null
    group by account_id, period_date
)

select * from final
