{#-
    The end of a seed check: given a CTE `problems` with one text column
    `problem` (one row per bad seed row, the row named in the text), returns no
    rows when there are none, and otherwise stops the test with an error whose
    message lists every problem, e.g.

        indicator_parameters has 1 bad row(s): indicator_parameters row
        (utilisation_drop, z_cut_3) value 'abc': not a number

    so that `dbt build` says which row to fix. `seed_name` is the label.
-#}
{% macro raise_seed_problems(problems_cte, seed_name) -%}
select
    summary.problem_count,
    summary.problem_list
from (
    select
        count(*) as problem_count,
        {{ string_agg_ordered('problem', "'; '", 'problem') }} as problem_list
    from {{ problems_cte }}
) as summary
where
    summary.problem_count > 0
    -- in the filter, not the select list, so that no planner can leave it out;
    -- the message is null (no error) when there is nothing to report
    and {{ raise_error(
        "'" ~ seed_name ~ " has ' || cast(summary.problem_count as " ~ dbt.type_string()
        ~ ") || ' bad row(s): ' || summary.problem_list"
    ) }} is null
{%- endmacro %}

{#- `'<text>'` quoting of a seed value for messages (null shows as an empty value). -#}
{% macro quote_value(col) -%}
    ('''' || coalesce(cast({{ col }} as {{ dbt.type_string() }}), '') || '''')
{%- endmacro %}

{#- A text seed value as a number, or null when it is not one (never a cast error). -#}
{% macro text_to_number(col) -%}
    case when {{ text_is_number(col) }} then cast(trim({{ col }}) as {{ dbt.type_float() }}) end
{%- endmacro %}

{#- True when a text seed value is a whole number, false otherwise (never a cast error). -#}
{% macro text_is_integer(col) -%}
    coalesce({{ text_to_number(col) }} = floor({{ text_to_number(col) }}), false)
{%- endmacro %}
