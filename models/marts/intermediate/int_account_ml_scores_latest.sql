{#-
    One row per account with an ML score: the probabilities of its latest
    scored as-of day for each horizon (30, 90, 180 days), and the reasons and
    model of the 30-day score (the one the collection list uses).
-#}
with

delinquency_scores as (
    select * from {{ ref('ml_delinquency_scores') }}
),

latest_as_of as (
    select
        account_id,
        max(as_of_date) as as_of_date
    from delinquency_scores
    group by account_id
),

final as (
    select
        latest_as_of.account_id,
        latest_as_of.as_of_date,
        max(case when delinquency_scores.horizon_days = 30 then delinquency_scores.probability end)
            as probability_30d,
        max(case when delinquency_scores.horizon_days = 90 then delinquency_scores.probability end)
            as probability_90d,
        max(case when delinquency_scores.horizon_days = 180 then delinquency_scores.probability end)
            as probability_180d,
        max(case when delinquency_scores.horizon_days = 30 then delinquency_scores.top_reasons end)
            as top_reasons_30d,
        max(
            case
                when delinquency_scores.horizon_days = 30
                    then delinquency_scores.model_name || ' ' || delinquency_scores.model_version
            end
        ) as model_30d
    from latest_as_of
    inner join delinquency_scores
        on
            latest_as_of.account_id = delinquency_scores.account_id
            and latest_as_of.as_of_date = delinquency_scores.as_of_date
    group by latest_as_of.account_id, latest_as_of.as_of_date
)

select * from final
