{#-
    Data tests scoped to the days a daily run writes (opt-in; off by default).

    With var data_tests_recent_days = N (the pipeline sets it from
    PREDELQ_PIPELINE_TEST_DAYS; unset by default, so every build, the pipeline's
    included, and CI check every row), a generic data
    test on a model that incremental_config gave a day_column reads only that
    model's last N days (`day_column >= max(day_column) - N`), not its whole
    history: the rows a daily run can have written or replaced (lookback and new
    days) are among them, and older rows passed when they were written
    (docs/decisions.md D30: on DuckDB the tests of a daily run took 0.83x the
    time; on PostgreSQL nothing measurable, hence off by default). Singular tests, unit tests and
    tests on other models are unchanged; a relationships test still looks its
    parents up in the whole parent table.

    dbt's get_where_subquery (the `where` config of data tests) is overridden here
    (dbt_project.yml routes the dbt namespace through this project); a test's own
    `where` still applies.
-#}
{% macro default__get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- do conditions.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- set recent = data_test_recent_days_condition(relation) -%}
    {%- if recent -%}
        {%- do conditions.append(recent) -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ') ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{#- The recent-days condition for the model a generic data test is attached to, or none. -#}
{% macro data_test_recent_days_condition(relation) -%}
    {%- set days = var('data_tests_recent_days', none) -%}
    {%- if days is none or not execute -%}
        {%- do return(none) -%}
    {%- endif -%}
    {%- if days | string | trim | lower in ('', 'all', 'none') -%}
        {%- do return(none) -%}
    {%- endif -%}
    {%- set attached = model.get('attached_node') if model is mapping else none -%}
    {%- if not attached or attached not in graph.nodes -%}
        {%- do return(none) -%}
    {%- endif -%}
    {%- set day_column = graph.nodes[attached].config.get('day_column') -%}
    {%- if not day_column -%}
        {%- do return(none) -%}
    {%- endif -%}
    {%- do return(
        day_column ~ ' >= (select max(' ~ day_column ~ ') from ' ~ relation ~ ') - ' ~ (days | int)
    ) -%}
{%- endmacro %}
