{#-
    Fails with the rows whose cut points (`columns`, in the order scores 2..5
    are reached) do not strictly increase; with `directions` (a relation with
    indicator_id and direction), strictly decrease for `lower_is_worse`
    indicators. Rows with a missing cut point fail too.
-#}
{% test cut_points_in_order(model, columns, directions=none) %}

{%- set ascending -%}
    {%- for column in columns[1:] %}{{ ' and ' if not loop.first }}rules.{{ columns[loop.index0] }} < rules.{{ column }}{% endfor -%}
{%- endset %}
{%- set descending = ascending | replace(' < ', ' > ') %}

select rules.*
from (select * from {{ model }}) as rules
{%- if directions is not none %}
left join {{ directions }} as directions
    on rules.indicator_id = directions.indicator_id
{%- endif %}
where not coalesce(
    {%- if directions is not none %}
    case when directions.direction = 'lower_is_worse' then {{ descending }} else {{ ascending }} end,
    {%- else %}
    {{ ascending }},
    {%- endif %}
    false
)

{% endtest %}
