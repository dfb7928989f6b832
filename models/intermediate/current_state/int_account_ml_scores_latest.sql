{#-
    One row per account with an ML score: the scores of its latest scored
    as-of day: the pre-delinquency probabilities for 30, 90 and 180 days (an
    account at DPD 0) or the roll-forward probability (an account 1-29 DPD:
    this spell reaches 30 DPD before it cures), with that day's reasons and model.
-#}
with

ml_delinquency_scores as (
    select * from {{ ref('ml_delinquency_scores') }}
),

latest_as_of as (
    select
        account_id,
        max(as_of_date) as as_of_date
    from ml_delinquency_scores
    group by account_id
),

final as (
    select
        latest_as_of.account_id,
        latest_as_of.as_of_date,
        max(case when ml_delinquency_scores.horizon_days = 30 then ml_delinquency_scores.probability end)
            as probability_30d,
        max(case when ml_delinquency_scores.horizon_days = 90 then ml_delinquency_scores.probability end)
            as probability_90d,
        max(case when ml_delinquency_scores.horizon_days = 180 then ml_delinquency_scores.probability end)
            as probability_180d,
        max(case when ml_delinquency_scores.horizon_days = 0 then ml_delinquency_scores.probability end)
            as roll_forward_probability,
        coalesce(
            max(case when ml_delinquency_scores.horizon_days = 0 then ml_delinquency_scores.top_reasons end),
            max(case when ml_delinquency_scores.horizon_days = 90 then ml_delinquency_scores.top_reasons end),
            max(case when ml_delinquency_scores.horizon_days = 30 then ml_delinquency_scores.top_reasons end)
        ) as top_reasons,
        coalesce(
            max(
                case
                    when ml_delinquency_scores.horizon_days = 0
                        then ml_delinquency_scores.model_name || ' ' || ml_delinquency_scores.model_version
                end
            ),
            max(
                case
                    when ml_delinquency_scores.horizon_days = 30
                        then ml_delinquency_scores.model_name || ' ' || ml_delinquency_scores.model_version
                end
            )
        ) as model_name_version
    from latest_as_of
    inner join ml_delinquency_scores
        on
            latest_as_of.account_id = ml_delinquency_scores.account_id
            and latest_as_of.as_of_date = ml_delinquency_scores.as_of_date
    group by latest_as_of.account_id, latest_as_of.as_of_date
)

select * from final
