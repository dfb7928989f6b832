{#-
    One row per local day: portfolio at risk. PAR30 = outstanding principal of
    the loans 30+ days past due, as a share of the outstanding principal of all
    loans with principal outstanding (likewise PAR60, PAR90), with the counts
    behind it.
-#}
with

loan_state as (
    select * from {{ ref('int_account_loan_state_daily') }}
),

book as (
    select *
    from loan_state
    where outstanding_principal_amount > 0
),

daily as (
    select
        local_date,
        count(*) as active_accounts,
        sum(outstanding_principal_amount) as outstanding_principal_amount,
        count(case when days_past_due >= 1 then 1 end) as accounts_1_plus_dpd,
        count(case when days_past_due >= 30 then 1 end) as accounts_30_plus_dpd,
        count(case when days_past_due >= 60 then 1 end) as accounts_60_plus_dpd,
        count(case when days_past_due >= 90 then 1 end) as accounts_90_plus_dpd,
        sum(case when days_past_due >= 1 then outstanding_principal_amount else 0 end) as par1_amount,
        sum(case when days_past_due >= 30 then outstanding_principal_amount else 0 end) as par30_amount,
        sum(case when days_past_due >= 60 then outstanding_principal_amount else 0 end) as par60_amount,
        sum(case when days_past_due >= 90 then outstanding_principal_amount else 0 end) as par90_amount,
        sum(arrears_amount) as arrears_amount
    from book
    group by local_date
),

final as (
    select
        local_date,
        active_accounts,
        outstanding_principal_amount,
        arrears_amount,
        accounts_1_plus_dpd,
        accounts_30_plus_dpd,
        accounts_60_plus_dpd,
        accounts_90_plus_dpd,
        par1_amount,
        par30_amount,
        par60_amount,
        par90_amount,
        {%- for n in [1, 30, 60, 90] %}
        100 * cast(par{{ n }}_amount as {{ dbt.type_float() }})
        / cast(outstanding_principal_amount as {{ dbt.type_float() }}) as par{{ n }}_pct
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from daily
)

select * from final
