{#-
    Aggregate JSON values into one JSON array, ordered by `order_by` (a SQL
    order-by list). Null when there are no rows.
-#}
{% macro json_array_agg(json_expr, order_by) -%}
    {{ return(adapter.dispatch('json_array_agg', 'predelq')(json_expr, order_by)) }}
{%- endmacro %}

{#- Postgres: jsonb_agg with an ordered aggregate. -#}
{% macro default__json_array_agg(json_expr, order_by) -%}
    jsonb_agg({{ json_expr }} order by {{ order_by }})
{%- endmacro %}

{#- DuckDB: json_group_array is a macro that cannot take order by; list() can. -#}
{% macro duckdb__json_array_agg(json_expr, order_by) -%}
    to_json(list({{ json_expr }} order by {{ order_by }}))
{%- endmacro %}

{#- Spark: JSON is text. Collect (sort keys, value) structs, sort them with a comparator
    built from `order_by` (comma-separated expressions, each optionally asc/desc) and
    join the values into one array text. -#}
{% macro spark__json_array_agg(json_expr, order_by) -%}
    {%- set keys = [] -%}
    {%- for part in order_by.split(',') -%}
        {%- set words = part.strip().split(' ') -%}
        {%- set last = words[-1] | lower -%}
        {%- if words | length > 1 and last in ['asc', 'desc'] -%}
            {%- do keys.append((words[:-1] | join(' '), last == 'desc')) -%}
        {%- else -%}
            {%- do keys.append((part.strip(), false)) -%}
        {%- endif -%}
    {%- endfor -%}
    case when count({{ json_expr }}) > 0 then
        '[' || array_join(transform(
            array_sort(
                collect_list(named_struct(
                    {%- for k in keys %}'k{{ loop.index0 }}', {{ k[0] }}, {% endfor -%}
                    'v', {{ json_expr }}
                )),
                (l, r) -> case
                    {%- for k in keys %}
                    when l.k{{ loop.index0 }} < r.k{{ loop.index0 }} then {{ 1 if k[1] else -1 }}
                    when l.k{{ loop.index0 }} > r.k{{ loop.index0 }} then {{ -1 if k[1] else 1 }}
                    {%- endfor %}
                    else 0 end
            ),
            x -> x.v
        ), ',') || ']'
    end
{%- endmacro %}
