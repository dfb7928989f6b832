{#-
    The risk band of a 1..5 risk score, for people: `red` from
    risk_band_red_from, `amber` from risk_band_amber_from, else `green`;
    `unscored` for null. `settings` is the alias of the seed risk_settings
    joined into the query.
-#}
{% macro risk_band(score_expr, settings='risk_settings') -%}
    case
        when {{ score_expr }} >= {{ settings }}.risk_band_red_from then 'red'
        when {{ score_expr }} >= {{ settings }}.risk_band_amber_from then 'amber'
        when {{ score_expr }} >= 1 then 'green'
        else 'unscored'
    end
{%- endmacro %}
