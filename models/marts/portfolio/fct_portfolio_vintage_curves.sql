with

accounts as (
    select * from {{ ref('stg_loan_book__accounts') }}
),

account_loan_state_daily as (
    select * from {{ ref('int_account_loan_state_daily') }}
),

worst_so_far as (
    select
        account_id,
        local_date,
        disbursement_date,
        max(days_past_due) over (
            partition by account_id order by local_date rows between unbounded preceding and current row
        ) as max_dpd_to_date
    from account_loan_state_daily
),

months_on_book as (
    select
        account_id,
        local_date,
        disbursement_date,
        max_dpd_to_date,
        {{ dbt.datediff('disbursement_date', 'local_date', 'month') }} as months_on_book  -- noqa: LT05
    from worst_so_far
),

observation_points as (
    -- the day each loan reaches each month on book
    select
        account_id,
        cast({{ dbt.date_trunc('month', 'disbursement_date') }} as date) as vintage_month,
        months_on_book,
        max_dpd_to_date
    from months_on_book
    where local_date = cast({{ dbt.dateadd('month', 'months_on_book', 'disbursement_date') }} as date)
),

per_vintage as (
    select
        observation_points.vintage_month,
        observation_points.months_on_book,
        count(*) as accounts,
        sum(accounts.loan_amount) as disbursed_amount,
        count(case when observation_points.max_dpd_to_date >= 30 then 1 end) as accounts_ever_30_plus_dpd,
        count(case when observation_points.max_dpd_to_date >= 60 then 1 end) as accounts_ever_60_plus_dpd,
        count(case when observation_points.max_dpd_to_date >= 90 then 1 end) as accounts_ever_90_plus_dpd,
        {%- for n in [30, 60, 90] %}
        cast(count(case when observation_points.max_dpd_to_date >= {{ n }} then 1 end) as {{ dbt.type_float() }})
        / count(*) as ever_{{ n }}_plus_dpd_share,
        {%- endfor %}
        cast(
            sum(case when observation_points.max_dpd_to_date >= 30 then accounts.loan_amount else 0 end)
            as {{ dbt.type_float() }}
        )
        / nullif(cast(sum(accounts.loan_amount) as {{ dbt.type_float() }}), 0) as ever_30_plus_dpd_amount_share
    from observation_points
    inner join accounts
        on observation_points.account_id = accounts.account_id
    group by observation_points.vintage_month, observation_points.months_on_book
),

final as (
    select
        vintage_month,
        cast(months_on_book as integer) as months_on_book,
        cast(accounts as integer) as accounts,
        cast(disbursed_amount as numeric(18, 2)) as disbursed_amount,
        {%- for n in [30, 60, 90] %}
        cast(accounts_ever_{{ n }}_plus_dpd as integer) as accounts_ever_{{ n }}_plus_dpd,
        cast(ever_{{ n }}_plus_dpd_share as {{ type_double() }}) as ever_{{ n }}_plus_dpd_share,
        {%- endfor %}
        cast(ever_30_plus_dpd_amount_share as {{ type_double() }}) as ever_30_plus_dpd_amount_share
    from per_vintage
)

select * from final
