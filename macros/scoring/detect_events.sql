{#-
    Event triggers: a boolean expression saying whether an event definition's
    condition holds for an entity on a day. int_event_trigger_days picks one
    by the definition's trigger_type; the episode rules (persistence, cooldown)
    come after, in events.

    detect_threshold_events: the score is at least `threshold` (1..5).
    detect_delta_events: the score rose by at least `delta` points against the
        score `comparison_days` days earlier (`previous_score_col`); false
        when either score is missing.
    detect_trend_events: the score rose against the score one period
        (`comparison_days`) earlier in each of the last `periods` periods;
        `rises_col` counts those rises (int_event_trigger_days computes it).
    A missing (null) score never triggers.
-#}
{% macro detect_threshold_events(score_col, threshold) -%}
    coalesce({{ score_col }} >= {{ threshold }}, false)
{%- endmacro %}

{% macro detect_delta_events(score_col, previous_score_col, delta) -%}
    coalesce({{ score_col }} - {{ previous_score_col }} >= {{ delta }}, false)
{%- endmacro %}

{% macro detect_trend_events(rises_col, periods) -%}
    coalesce({{ rises_col }} >= {{ periods }}, false)
{%- endmacro %}
