{#-
    Use the layer's schema name as written (staging, metrics, marts...) instead of
    dbt's default "<target_schema>_<custom>", so that the schema names are the same
    on every engine and match the architecture (DESIGN.md: layers and schemas).
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
