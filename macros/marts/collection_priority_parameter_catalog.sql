{#-
    The parameters seeds/collection_priority_parameters.csv must hold, as
    (name, kind) pairs. kind: `window` (hours or days, > 0), `multiplier`
    (a loss multiplier or factor in (0, 1]), `probability` (in [0, 1]).
    Engineers own this list; analysts own the values.
-#}
{% macro collection_priority_parameter_catalog() -%}
    {{ return([
        ('device_alive_hours', 'window'),
        ('device_alive_multiplier', 'multiplier'),
        ('located_within_days', 'window'),
        ('located_multiplier', 'multiplier'),
        ('at_base_multiplier', 'multiplier'),
        ('no_vehicle_data_factor', 'multiplier'),
        ('fallback_probability_score_1', 'probability'),
        ('fallback_probability_score_2', 'probability'),
        ('fallback_probability_score_3', 'probability'),
        ('fallback_probability_score_4', 'probability'),
        ('fallback_probability_score_5', 'probability'),
        ('fallback_probability_unscored', 'probability'),
    ]) }}
{%- endmacro %}
