{#-
    Spark versions of dbt's own macros (dbt_project.yml routes the `dbt` namespace
    through this project first).

    listagg: dbt-spark ignores the order-by (and the limit); ours keeps both, as
    string_agg ... order by / array slices do on DuckDB and Postgres.
    apply_grants: the marts' grants are for Metabase's role on Postgres; a local
    Spark session has no access control (on Databricks, grant in Unity Catalog).
-#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- set order_by = order_by_clause | replace('order by', '') | trim if order_by_clause else '1' -%}
    {%- set sorted = spark_sorted_values(measure, order_by) -%}
    case when count({{ measure }}) > 0 then
        array_join(
            {%- if limit_num %} slice({{ sorted }}, 1, {{ limit_num }}){% else %} {{ sorted }}{% endif %},
            {{ delimiter_text }}
        )
    end
{%- endmacro %}

{% macro spark__apply_grants(relation, grant_config, should_revoke=True) -%}
{%- endmacro %}

{#- The values of `value_expr` in a group, as an array sorted by `order_by`: comma-separated
    expressions, each optionally followed by asc or desc (nulls compare as equal). -#}
{% macro spark_sorted_values(value_expr, order_by) -%}
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
    transform(
        array_sort(
            collect_list(named_struct(
                {%- for k in keys %}'k{{ loop.index0 }}', {{ k[0] }}, {% endfor -%}
                'v', {{ value_expr }}
            )),
            (l, r) -> case
                {%- for k in keys %}
                when l.k{{ loop.index0 }} < r.k{{ loop.index0 }} then {{ 1 if k[1] else -1 }}
                when l.k{{ loop.index0 }} > r.k{{ loop.index0 }} then {{ -1 if k[1] else 1 }}
                {%- endfor %}
                else 0 end
        ),
        x -> x.v
    )
{%- endmacro %}
