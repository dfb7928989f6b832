{#-
    Unpivot helper: the value of the metric named by `name_column` from the
    wide row `relation_alias`, as a double. `metrics` lists the wide table's
    metric columns; those in `boolean_metrics` become 1/0. Used with a cross
    join of the wide table and the metric registry (one pass per table).
-#}
{% macro pick_metric_value(name_column, relation_alias, metrics, boolean_metrics=[]) -%}
    {%- if not metrics %}
    cast(null as {{ dbt.type_float() }})
    {%- else %}
    case {{ name_column }}
        {%- for metric in metrics %}
            when '{{ metric }}' then cast(
                {%- if metric in boolean_metrics %}
                    case when {{ relation_alias }}.{{ metric }} then 1 when not {{ relation_alias }}.{{ metric }} then 0 end
                {%- else %}
                    {{ relation_alias }}.{{ metric }}
                {%- endif %} as {{ dbt.type_float() }})
        {%- endfor %}
    end
    {%- endif %}
{%- endmacro %}
