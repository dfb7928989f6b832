{#- One row per month and pair of DPD buckets: roll rates for Metabase, typed under contract. -#}
{{ config(materialized='view') }}

with

roll_rates as (
    select * from {{ ref('rpt_roll_rates_monthly') }}
),

final as (
    select
        month_start_date,
        next_month_start_date,
        cast(from_bucket as {{ type_text() }}) as from_bucket,
        cast(to_bucket as {{ type_text() }}) as to_bucket,
        cast(accounts as integer) as accounts,
        cast(from_outstanding_principal_amount as numeric(18, 2)) as from_outstanding_principal_amount,
        cast(account_roll_rate as {{ type_double() }}) as account_roll_rate,
        cast(balance_roll_rate as {{ type_double() }}) as balance_roll_rate
    from roll_rates
)

select * from final
