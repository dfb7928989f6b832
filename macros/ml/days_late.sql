{#- Days an installment was (or is still) late as known at the end of `as_of_day`: from its due
    date to the day it was fully paid, or to `as_of_day` while it is not; null without an installment. -#}
{% macro days_late(due_date, fully_paid_date, as_of_day) -%}
    case
        when {{ due_date }} is null then null
        when {{ fully_paid_date }} is not null and {{ fully_paid_date }} <= {{ as_of_day }}
            then greatest({{ days_between(due_date, fully_paid_date) }}, 0)
        else {{ days_between(due_date, as_of_day) }}
    end
{%- endmacro %}
