{#- One row per local day: portfolio at risk (PAR1/30/60/90) for Metabase, typed under contract. -#}
{{ config(materialized='view') }}

with

portfolio_at_risk as (
    select * from {{ ref('rpt_portfolio_at_risk_daily') }}
),

final as (
    select
        local_date,
        cast(active_accounts as integer) as active_accounts,
        cast(outstanding_principal_amount as numeric(18, 2)) as outstanding_principal_amount,
        cast(arrears_amount as numeric(18, 2)) as arrears_amount,
        {%- for n in [1, 30, 60, 90] %}
        cast(accounts_{{ n }}_plus_dpd as integer) as accounts_{{ n }}_plus_dpd,
        cast(par{{ n }}_amount as numeric(18, 2)) as par{{ n }}_amount,
        cast(par{{ n }}_pct as {{ type_double() }}) as par{{ n }}_pct{% if not loop.last %},{% endif %}
        {%- endfor %}
    from portfolio_at_risk
)

select * from final
