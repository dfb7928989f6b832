{#- One row per disbursement month and month on book: vintage curves for Metabase, typed under contract. -#}
{{ config(materialized='view') }}

with

vintage_curves as (
    select * from {{ ref('rpt_vintage_curves') }}
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
    from vintage_curves
)

select * from final
