{#-
    The latest row is the KPI line; the rows together are the trend.
-#}
{{ config(materialized='view') }}

with

fct_portfolio_at_risk_daily as (
    select * from {{ ref('fct_portfolio_at_risk_daily') }}
),

indicator_values as (
    select * from {{ ref('indicator_values') }}
),

events as (
    select * from {{ ref('events') }}
),

risk_settings as (
    select * from {{ ref('risk_settings') }}
),

risk_bands as (
    select
        indicator_values.period_date as local_date,
        count(case when {{ risk_band('indicator_values.score') }} = 'red' then 1 end) as accounts_red,
        count(case when {{ risk_band('indicator_values.score') }} = 'amber' then 1 end) as accounts_amber,
        count(case when {{ risk_band('indicator_values.score') }} = 'green' then 1 end) as accounts_green
    from indicator_values
    cross join risk_settings
    where indicator_values.indicator_id = 'composite_account_risk' and indicator_values.score is not null
    group by indicator_values.period_date
),

event_days as (
    select
        fct_portfolio_at_risk_daily.local_date,
        count(case when events.opened_on = fct_portfolio_at_risk_daily.local_date then 1 end) as events_opened,
        count(
            case
                when
                    events.opened_on <= fct_portfolio_at_risk_daily.local_date
                    and (events.closed_on is null or events.closed_on > fct_portfolio_at_risk_daily.local_date)
                    then 1
            end
        ) as open_events,
        count(
            case
                when
                    events.is_actionable
                    and events.opened_on <= fct_portfolio_at_risk_daily.local_date
                    and (events.closed_on is null or events.closed_on > fct_portfolio_at_risk_daily.local_date)
                    then 1
            end
        ) as open_actionable_events
    from fct_portfolio_at_risk_daily
    inner join events
        on fct_portfolio_at_risk_daily.local_date >= events.opened_on
    group by fct_portfolio_at_risk_daily.local_date
),

final as (
    select
        fct_portfolio_at_risk_daily.local_date,
        cast(fct_portfolio_at_risk_daily.active_accounts as integer) as active_accounts,
        cast(
            fct_portfolio_at_risk_daily.outstanding_principal_amount as numeric(18, 2)
        ) as outstanding_principal_amount,
        cast(fct_portfolio_at_risk_daily.arrears_amount as numeric(18, 2)) as arrears_amount,
        cast(fct_portfolio_at_risk_daily.accounts_1_plus_dpd as integer) as accounts_1_plus_dpd,
        cast(fct_portfolio_at_risk_daily.accounts_30_plus_dpd as integer) as accounts_30_plus_dpd,
        cast(fct_portfolio_at_risk_daily.accounts_90_plus_dpd as integer) as accounts_90_plus_dpd,
        cast(fct_portfolio_at_risk_daily.par1_pct as {{ type_double() }}) as par1_pct,
        cast(fct_portfolio_at_risk_daily.par30_pct as {{ type_double() }}) as par30_pct,
        cast(fct_portfolio_at_risk_daily.par90_pct as {{ type_double() }}) as par90_pct,
        cast(risk_bands.accounts_red as integer) as accounts_risk_red,
        cast(risk_bands.accounts_amber as integer) as accounts_risk_amber,
        cast(risk_bands.accounts_green as integer) as accounts_risk_green,
        cast(coalesce(event_days.events_opened, 0) as integer) as events_opened,
        cast(coalesce(event_days.open_events, 0) as integer) as open_events,
        cast(coalesce(event_days.open_actionable_events, 0) as integer) as open_actionable_events
    from fct_portfolio_at_risk_daily
    left join risk_bands
        on fct_portfolio_at_risk_daily.local_date = risk_bands.local_date
    left join event_days
        on fct_portfolio_at_risk_daily.local_date = event_days.local_date
)

select * from final
