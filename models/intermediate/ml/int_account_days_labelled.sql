{#-
    One row per open loan account and as-of day, for the ML feature table: the
    as-of day is the day after a day of account_metrics_daily (features use data
    up to that day only), with the outcome labels from the loan system's
    delinquency history (raw.delinquency_events, never the simulator's truth).

    - is_delinquent_at_as_of: the account is 30+ DPD on the eve of the as-of day
      (an open dpd_30 episode, or DPD >= 30 that day): never trained on or scored.
    - label_dpd30_<N>d: 1 if a dpd_30 milestone is triggered in the N days
      as_of_date .. as_of_date + N - 1, 0 if not, null when that window runs past
      the last day of data (unknowable yet) or the account is already delinquent.
    - label_roll_dpd30 (accounts 1-29 DPD on the eve): 1 if this spell of arrears
      reaches 30 DPD before DPD is back to 0, 0 if it cures first, null while the
      data holds neither.
    - days_observed: days of the future the data holds from the as-of day on
      (data_end_date - as_of_date + 1): the censoring time of the hazard model.
-#}
{%- set horizons = [30, 90, 180] %}

with

account_metrics_daily as (
    select * from {{ ref('account_metrics_daily') }}
),

delinquency_events as (
    select * from {{ ref('stg_loan_book__delinquency_events') }}
),

data_end as (
    select max(local_date) as data_end_date from account_metrics_daily
),

dpd30_episodes as (
    -- timestamps are local noon of their day in the loan system; compare local dates
    select
        account_id,
        cast({{ to_local_timestamp('triggered_at') }} as date) as reached_date,
        cast({{ to_local_timestamp('resolved_at') }} as date) as cured_date
    from delinquency_events
    where delinquency_type = 'dpd_30'
),

next_cures as (
    -- the first later day with DPD back to 0: when a spell of arrears ends
    select
        account_id,
        local_date,
        min(case when days_past_due = 0 then local_date end) over (
            partition by account_id order by local_date rows between 1 following and unbounded following
        ) as next_cure_date
    from account_metrics_daily
),

open_account_days as (
    -- a loan is open while principal or arrears are outstanding
    select
        account_metrics_daily.account_id,
        account_metrics_daily.local_date as features_through_date,
        account_metrics_daily.local_date + 1 as as_of_date,
        account_metrics_daily.days_past_due,
        next_cures.next_cure_date
    from account_metrics_daily
    inner join next_cures
        on
            account_metrics_daily.account_id = next_cures.account_id
            and account_metrics_daily.local_date = next_cures.local_date
    where
        account_metrics_daily.outstanding_principal_amount > 0
        or account_metrics_daily.arrears_amount > 0
        or account_metrics_daily.days_past_due > 0
),

episodes_by_day as (
    select
        open_account_days.account_id,
        open_account_days.as_of_date,
        count(
            case when dpd30_episodes.reached_date <= open_account_days.features_through_date then 1 end
        ) as prior_dpd30_episodes,
        count(
            case
                when
                    dpd30_episodes.reached_date <= open_account_days.features_through_date
                    and coalesce(dpd30_episodes.cured_date, data_end.data_end_date + 1)
                    > open_account_days.features_through_date
                    then 1
            end
        ) as open_dpd30_episodes,
        min(
            case when dpd30_episodes.reached_date >= open_account_days.as_of_date then dpd30_episodes.reached_date end
        ) as next_dpd30_date
    from open_account_days
    cross join data_end
    left join dpd30_episodes
        on open_account_days.account_id = dpd30_episodes.account_id
    group by open_account_days.account_id, open_account_days.as_of_date
),

final as (
    select
        open_account_days.account_id,
        open_account_days.as_of_date,
        open_account_days.features_through_date,
        data_end.data_end_date,
        episodes_by_day.open_dpd30_episodes > 0 or open_account_days.days_past_due >= 30 as is_delinquent_at_as_of,
        episodes_by_day.prior_dpd30_episodes,
        {%- for n in horizons %}
        case
            when episodes_by_day.open_dpd30_episodes > 0 or open_account_days.days_past_due >= 30 then null
            when open_account_days.as_of_date + {{ n - 1 }} > data_end.data_end_date then null
            when episodes_by_day.next_dpd30_date <= open_account_days.as_of_date + {{ n - 1 }} then 1
            else 0
        end as label_dpd30_{{ n }}d,
        {%- endfor %}
        case
            when open_account_days.days_past_due < 1 or open_account_days.days_past_due >= 30 then null
            when
                episodes_by_day.next_dpd30_date is not null
                and (
                    open_account_days.next_cure_date is null
                    or episodes_by_day.next_dpd30_date < open_account_days.next_cure_date
                )
                then 1
            when open_account_days.next_cure_date is not null then 0
        end as label_roll_dpd30,
        {{ days_between('open_account_days.as_of_date', 'data_end.data_end_date') }} + 1 as days_observed,
        episodes_by_day.next_dpd30_date
    from open_account_days
    cross join data_end
    inner join episodes_by_day
        on
            open_account_days.account_id = episodes_by_day.account_id
            and open_account_days.as_of_date = episodes_by_day.as_of_date
)

select * from final
