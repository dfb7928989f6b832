{#-
    Fails with the rows of the model whose `columns` match no row of `to`
    (on `to_columns`, default the same names) among the rows where `to_where`
    holds: relationships over several columns, or to a filtered parent. On a
    column, `columns` defaults to it. Limit the model's rows with the test's
    `where` config.
-#}
{% test matches_row_in(model, to, columns=none, to_columns=none, to_where='true', column_name=none) %}
{%- set columns = columns or [column_name] %}

select child.*
from (select * from {{ model }}) as child
where not exists (
    select 1
    from {{ to }} as parent
    where
        ({{ to_where }})
        {%- for column in columns %}
        and child.{{ column }} = parent.{{ (to_columns or columns)[loop.index0] }}
        {%- endfor %}
)

{% endtest %}
