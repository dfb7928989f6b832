{#-
    The rows an incremental scoring model recomputes, as a boolean expression
    (`true` on a full refresh or first build):

    - the days recompute_from(this_date_col, lookback) names (late telemetry
      changes metric values that far back, and a std-dev baseline reads
      earlier days, so later days are recomputed too); and
    - the whole history of every key (indicator or event definition) whose
      version is not in the table yet: a changed threshold, a new or
      re-activated definition. So an incremental run always equals a full
      refresh with the current seeds.

    date_col / key_col: columns of the rows being selected.
    versions_relation: a relation or CTE with one row per key and its current
        version (columns named like `this_key_col` / `this_version_col`).
    this_date_col / this_key_col / this_version_col: the same in {{ this }}.
    lookback: days (an integer); default indicator_lookback_days().
-#}
{% macro incremental_rescore_filter(date_col, key_col, versions_relation, this_date_col, this_key_col, this_version_col, lookback=none) -%}
    {%- if is_incremental() -%}
    {%- set lookback = indicator_lookback_days() if lookback is none else lookback %}
    (
        {{ date_col }} >= {{ recompute_from(this_date_col, lookback) }}
        or {{ key_col }} in (
            select current_versions.{{ this_key_col }}
            from {{ versions_relation }} as current_versions
            where not exists (
                select 1
                from {{ this }} as existing
                where
                    existing.{{ this_key_col }} = current_versions.{{ this_key_col }}
                    and existing.{{ this_version_col }} = current_versions.{{ this_version_col }}
            )
        )
    )
    {%- else -%}
    true
    {%- endif -%}
{%- endmacro %}

{#- Days an incremental indicator / event model re-reads (var, default the telemetry lookback). -#}
{% macro indicator_lookback_days() -%}
    {{ return(var('indicator_lookback_days', var('telemetry_lookback_days', 3)) | int) }}
{%- endmacro %}
