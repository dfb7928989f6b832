{#-
    The risk band of a 1..5 risk score, for people: `red` (4-5), `amber` (3),
    `green` (1-2), `unscored` (null). The cut points are the same as the
    account-risk events' (account_risk_high fires at 4).
-#}
{% macro risk_band(score_expr) -%}
    case
        when {{ score_expr }} >= 4 then 'red'
        when {{ score_expr }} = 3 then 'amber'
        when {{ score_expr }} >= 1 then 'green'
        else 'unscored'
    end
{%- endmacro %}
