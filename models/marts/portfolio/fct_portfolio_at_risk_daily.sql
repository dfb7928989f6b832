with

account_loan_state_daily as (
    select * from {{ ref('int_account_loan_state_daily') }}
),

book as (
    select *
    from account_loan_state_daily
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

shares as (
    select
        *,
        {%- for n in [1, 30, 60, 90] %}
        100 * cast(par{{ n }}_amount as {{ dbt.type_float() }})
        / cast(outstanding_principal_amount as {{ dbt.type_float() }}) as par{{ n }}_pct
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from daily
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
    from shares
)

select * from final
