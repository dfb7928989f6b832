{#-
    The parameters each scoring method takes, as a query fragment with one row
    per (parameter_set, parameter_name):

    - parameter_set: the indicator's scoring method (`static_rules`, `std_dev`,
      `ml_model`), or `composite` for the composite indicator;
    - kind: `number` (checked and cast) or `text` (one of allowed_values);
    - is_required: the row must be in seeds/indicator_parameters.csv, else it
      takes default_value;
    - min_value / max_value: inclusive bounds for numbers (null = none);
    - must_be_integer: for day counts.

    Engineers own this list (it follows the scoring macros); analysts own the
    values in the seed. The seed checks and int_indicator_parameters_typed read it.
-#}
{% macro indicator_parameter_catalog() -%}
    {%- set rows = [
        ('static_rules', 'cut_2', 'number', true, none, none, none, false, 'value at which the score becomes 2'),
        ('static_rules', 'cut_3', 'number', true, none, none, none, false, 'value at which the score becomes 3'),
        ('static_rules', 'cut_4', 'number', true, none, none, none, false, 'value at which the score becomes 4'),
        ('static_rules', 'cut_5', 'number', true, none, none, none, false, 'value at which the score becomes 5'),
        ('composite', 'cut_2', 'number', true, none, 1, 5, false, 'weighted score at which the composite becomes 2'),
        ('composite', 'cut_3', 'number', true, none, 1, 5, false, 'weighted score at which the composite becomes 3'),
        ('composite', 'cut_4', 'number', true, none, 1, 5, false, 'weighted score at which the composite becomes 4'),
        ('composite', 'cut_5', 'number', true, none, 1, 5, false, 'weighted score at which the composite becomes 5'),
        ('composite', 'top_reasons', 'number', false, '3', 1, 10, true, 'how many contributing indicators to keep as reasons'),
        ('std_dev', 'window_days', 'number', true, none, 2, 365, true, 'trailing window in days, ending the day before (or before the gap)'),
        ('std_dev', 'baseline_gap_days', 'number', false, '0', 0, 365, true, 'most recent days left out of the window (0 = it ends the day before); with a gap a slow drift is compared with where the entity was weeks ago'),
        ('std_dev', 'min_history_days', 'number', true, none, 1, 730, true, 'days with a value needed in the window'),
        ('std_dev', 'z_cut_2', 'number', true, none, 0, none, false, 'z (in the worse direction) at which the score becomes 2'),
        ('std_dev', 'z_cut_3', 'number', true, none, 0, none, false, 'z at which the score becomes 3'),
        ('std_dev', 'z_cut_4', 'number', true, none, 0, none, false, 'z at which the score becomes 4'),
        ('std_dev', 'z_cut_5', 'number', true, none, 0, none, false, 'z at which the score becomes 5'),
        ('std_dev', 'abs_noise_floor', 'number', true, none, 0.000001, none, false, 'smallest spread, in metric units'),
        ('std_dev', 'rel_noise_floor', 'number', false, '0', 0, none, false, 'smallest spread, as a fraction of the baseline'),
        ('std_dev', 'statistic', 'text', false, 'median', none, none, false, 'mean (mean and std-dev) or median (median and MAD)'),
        ('std_dev', 'seasonality', 'text', false, 'none', none, none, false, 'none or day_of_week (compare with the same weekday)'),
        ('std_dev', 'outlier_mad_cut', 'number', false, '3.5', 0.5, none, false, 'history days further than this many MADs from the window median are left out'),
        ('ml_model', 'horizon_days', 'number', true, none, 1, 365, true, 'which probability: reaching 30+ DPD within this many days'),
        ('ml_model', 'band_2', 'number', true, none, 0, 1, false, 'probability at which the score becomes 2'),
        ('ml_model', 'band_3', 'number', true, none, 0, 1, false, 'probability at which the score becomes 3'),
        ('ml_model', 'band_4', 'number', true, none, 0, 1, false, 'probability at which the score becomes 4'),
        ('ml_model', 'band_5', 'number', true, none, 0, 1, false, 'probability at which the score becomes 5'),
    ] -%}
    {%- set allowed = {'statistic': 'mean|median', 'seasonality': 'none|day_of_week'} -%}
    {%- for r in rows %}
    select
        '{{ r[0] }}' as parameter_set,
        '{{ r[1] }}' as parameter_name,
        '{{ r[2] }}' as kind,
        {{ r[3] }} as is_required,
        cast({{ "'" ~ r[4] ~ "'" if r[4] is not none else 'null' }} as {{ dbt.type_string() }}) as default_value,
        cast({{ r[5] if r[5] is not none else 'null' }} as {{ dbt.type_float() }}) as min_value,
        cast({{ r[6] if r[6] is not none else 'null' }} as {{ dbt.type_float() }}) as max_value,
        {{ r[7] }} as must_be_integer,
        cast({{ "'" ~ allowed[r[1]] ~ "'" if r[1] in allowed else 'null' }} as {{ dbt.type_string() }}) as allowed_values,
        '{{ r[8] }}' as meaning
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
