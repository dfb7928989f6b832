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

{#- Spark: JSON is text; the values sorted (spark_sorted_values), joined into one array. -#}
{% macro spark__json_array_agg(json_expr, order_by) -%}
    case when count({{ json_expr }}) > 0 then
        '[' || array_join({{ spark_sorted_values(json_expr, order_by) }}, ',') || ']'
    end
{%- endmacro %}
