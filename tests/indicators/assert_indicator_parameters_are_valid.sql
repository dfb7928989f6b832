{#-
    Seed check for seeds/indicator_parameters.csv. Every bad row is named in
    the error: a parameter for an unknown indicator, a parameter the
    indicator's method does not take, a duplicate, text where a number belongs
    (or a fraction where a day count belongs), a value out of range, a text
    option that does not exist; and per indicator: a missing required
    parameter, cut points (z cuts, bands) out of order, a minimum history
    longer than the window.
-#}
{{ config(tags=['seed_check']) }}

with

indicator_definitions as (
    select * from {{ ref('indicator_definitions') }}
),

indicator_parameters as (
    select * from {{ ref('indicator_parameters') }}
),

parameter_catalog as (
    {{ indicator_parameter_catalog() }}
),

definitions as (
    select
        trim(indicator_id) as indicator_id,
        trim(direction) as direction,
        case
            when trim(aggregation_type) = 'composite' then 'composite' else trim(scoring_method)
        end as parameter_set
    from indicator_definitions
),

parameter_rows as (
    select
        trim(indicator_parameters.indicator_id) as indicator_id,
        trim(indicator_parameters.parameter_name) as parameter_name,
        trim(indicator_parameters.parameter_value) as parameter_value,
        'indicator_parameters row (' || coalesce(trim(indicator_parameters.indicator_id), '')
        || ', ' || coalesce(trim(indicator_parameters.parameter_name), '') || ') value '
        || {{ quote_value('indicator_parameters.parameter_value') }} || ': ' as row_label,
        count(*) over (
            partition by trim(indicator_parameters.indicator_id), trim(indicator_parameters.parameter_name)
        ) as key_count,
        definitions.indicator_id as known_indicator,
        definitions.parameter_set,
        parameter_catalog.parameter_name as known_parameter,
        parameter_catalog.kind,
        parameter_catalog.min_value,
        parameter_catalog.max_value,
        parameter_catalog.must_be_integer,
        parameter_catalog.allowed_values
    from indicator_parameters
    left join definitions
        on trim(indicator_parameters.indicator_id) = definitions.indicator_id
    left join parameter_catalog
        on
            definitions.parameter_set = parameter_catalog.parameter_set
            and trim(indicator_parameters.parameter_name) = parameter_catalog.parameter_name
),

row_problems as (
    select row_label || 'unknown indicator_id (not in indicator_definitions)' as problem
    from parameter_rows
    where known_indicator is null
    union all
    select row_label || 'a ' || parameter_set || ' indicator takes no parameter ' || {{ quote_value('parameter_name') }}
    from parameter_rows
    where known_indicator is not null and known_parameter is null
    union all
    select row_label || 'appears ' || cast(key_count as {{ dbt.type_string() }}) || ' times'
    from parameter_rows
    where key_count > 1
    union all
    select row_label || 'not a number'
    from parameter_rows
    where kind = 'number' and not coalesce({{ text_is_number('parameter_value') }}, false)
    union all
    select row_label || 'must be a whole number of days'
    from parameter_rows
    where
        kind = 'number' and must_be_integer
        and {{ text_is_number('parameter_value') }} and not {{ text_is_integer('parameter_value') }}
    union all
    select row_label || 'below the minimum ' || cast(min_value as {{ dbt.type_string() }})
    from parameter_rows
    where kind = 'number' and {{ text_to_number('parameter_value') }} < min_value
    union all
    select row_label || 'above the maximum ' || cast(max_value as {{ dbt.type_string() }})
    from parameter_rows
    where kind = 'number' and {{ text_to_number('parameter_value') }} > max_value
    union all
    select row_label || 'must be one of ' || replace(allowed_values, '|', ', ')
    from parameter_rows
    where
        kind = 'text'
        and '|' || allowed_values || '|' not like '%|' || lower(coalesce(parameter_value, '')) || '|%'
),

-- per indicator, with defaults: the checks that need several parameters
indicator_values as (
    select
        definitions.indicator_id,
        definitions.direction,
        definitions.parameter_set,
        parameter_catalog.parameter_name,
        parameter_catalog.is_required,
        parameter_rows.parameter_value,
        coalesce(
            {{ text_to_number('parameter_rows.parameter_value') }},
            {{ text_to_number('parameter_catalog.default_value') }}
        ) as number_value
    from definitions
    inner join parameter_catalog
        on definitions.parameter_set = parameter_catalog.parameter_set
    left join parameter_rows
        on
            definitions.indicator_id = parameter_rows.indicator_id
            and parameter_catalog.parameter_name = parameter_rows.parameter_name
            and parameter_rows.key_count = 1
),

per_indicator as (
    select
        indicator_id,
        max(direction) as direction,
        max(parameter_set) as parameter_set,
        {%- for p in ['cut_2', 'cut_3', 'cut_4', 'cut_5', 'z_cut_2', 'z_cut_3', 'z_cut_4', 'z_cut_5',
                      'band_2', 'band_3', 'band_4', 'band_5', 'window_days', 'min_history_days'] %}
        max(case when parameter_name = '{{ p }}' then number_value end) as {{ p }},
        {%- endfor %}
        max(case when parameter_name = 'seasonality' then lower(parameter_value) end) as seasonality
    from indicator_values
    group by indicator_id
),

indicator_problems as (
    select
        'indicator_definitions row ' || indicator_id || ': missing required parameter '
        || parameter_name || ' in indicator_parameters' as problem
    from indicator_values
    where is_required and parameter_value is null
    union all
    select
        'indicator_definitions row ' || indicator_id || ': cut points out of order for ' || direction
        || ' (cut_2..cut_5 must ' || case when direction = 'lower_is_worse' then 'decrease' else 'increase' end
        || ' strictly towards worse: ' || {% for c in ['cut_2', 'cut_3', 'cut_4', 'cut_5'] -%}
        coalesce(cast({{ c }} as {{ dbt.type_string() }}), '?'){% if not loop.last %} || ', ' || {% endif %}
        {%- endfor %} || ')' as problem
    from per_indicator
    where
        parameter_set in ('static_rules', 'composite')
        and (
            (direction = 'lower_is_worse' and not (cut_2 > cut_3 and cut_3 > cut_4 and cut_4 > cut_5))
            or (direction != 'lower_is_worse' and not (cut_2 < cut_3 and cut_3 < cut_4 and cut_4 < cut_5))
        )
    union all
    select
        'indicator_definitions row ' || indicator_id
        || ': z cut points out of order (z_cut_2..z_cut_5 must increase strictly)' as problem
    from per_indicator
    where parameter_set = 'std_dev' and not (z_cut_2 < z_cut_3 and z_cut_3 < z_cut_4 and z_cut_4 < z_cut_5)
    union all
    select
        'indicator_definitions row ' || indicator_id
        || ': probability bands out of order (band_2..band_5 must increase strictly)' as problem
    from per_indicator
    where parameter_set = 'ml_model' and not (band_2 < band_3 and band_3 < band_4 and band_4 < band_5)
    union all
    select
        'indicator_definitions row ' || indicator_id || ': min_history_days is more than the '
        || case when seasonality = 'day_of_week' then 'same-weekday days in window_days' else 'window_days' end
            as problem
    from per_indicator
    where
        parameter_set = 'std_dev'
        and min_history_days > case
            when seasonality = 'day_of_week' then floor(window_days / 7) else window_days
        end
),

problems as (
    select problem from row_problems
    union all
    select problem from indicator_problems
)

{{ raise_seed_problems('problems', 'indicator_parameters') }}
