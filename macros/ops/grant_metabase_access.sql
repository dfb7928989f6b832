{#-
    on-run-start hook: the read-only role Metabase uses (var `metabase_role`,
    default metabase_reader) exists, and may use schema `marts` (and only
    that schema). SELECT on each mart comes from the `grants` config of
    models/marts (dbt_project.yml); no other schema grants it anything, so
    raw and staging (where customer personal data lives) stay closed.

    The role is created NOLOGIN and without a password: Metabase logs in as a
    separate login role that is a member of it (README, "Connect Metabase").
    Set var `metabase_manage_role: false` where the dbt user may not create
    roles (the role and its USAGE must then be set up by an administrator).
    A no-op on engines without roles (DuckDB).
-#}
{% macro grant_metabase_access() -%}
    {{ return(adapter.dispatch('grant_metabase_access', 'predelq')()) }}
{%- endmacro %}

{% macro default__grant_metabase_access() -%}
    select 1 as no_roles_on_this_engine
{%- endmacro %}

{#- Postgres: create the role if missing (no IF NOT EXISTS for roles), then schema usage. -#}
{% macro postgres__grant_metabase_access() -%}
    {%- set role = var('metabase_role') -%}
    {%- set schema = var('metabase_schema') -%}
    {%- if not var('metabase_manage_role') -%}
        select 1 as metabase_role_managed_elsewhere
    {%- else -%}
        do $$
        begin
            if not exists (select 1 from pg_catalog.pg_roles where rolname = {{ dbt.string_literal(role) }}) then
                create role {{ adapter.quote(role) }} nologin;
            end if;
        exception
            -- roles are cluster-wide: another database's build may create it at the same moment
            when duplicate_object or unique_violation then null;
        end
        $$;
        create schema if not exists {{ adapter.quote(schema) }};
        grant usage on schema {{ adapter.quote(schema) }} to {{ adapter.quote(role) }};
    {%- endif -%}
{%- endmacro %}
