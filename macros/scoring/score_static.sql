{#-
    Static-rule score: a value -> 1..5 by four cut points.

    The cut points are given in the order scores 2, 3, 4, 5 are reached, i.e.
    in the worse direction: ascending values when `direction` is
    'higher_is_worse', descending values when it is 'lower_is_worse'. A value
    exactly on a cut point gets that cut point's score. A null value (or null
    cut points) gives a null score, never 1.

    All arguments are SQL expressions (column names or literals), so the same
    lines score every indicator: `direction` may be a column holding
    'higher_is_worse' / 'lower_is_worse' or a quoted literal.
-#}
{% macro score_static(value_col, cut_2, cut_3, cut_4, cut_5, direction) -%}
    case
        when {{ value_col }} is null then null
        when {{ direction }} = 'lower_is_worse' then
            case
                when {{ value_col }} <= {{ cut_5 }} then 5
                when {{ value_col }} <= {{ cut_4 }} then 4
                when {{ value_col }} <= {{ cut_3 }} then 3
                when {{ value_col }} <= {{ cut_2 }} then 2
                when {{ value_col }} > {{ cut_2 }} then 1
            end
        when {{ direction }} = 'higher_is_worse' then
            case
                when {{ value_col }} >= {{ cut_5 }} then 5
                when {{ value_col }} >= {{ cut_4 }} then 4
                when {{ value_col }} >= {{ cut_3 }} then 3
                when {{ value_col }} >= {{ cut_2 }} then 2
                when {{ value_col }} < {{ cut_2 }} then 1
            end
    end
{%- endmacro %}
