{#-
    Std-dev score: how far today's value is from the entity's own trailing
    baseline, in units of its spread, scored 1..5 by z cut points.

    - `baseline_col`, `spread_col`: the trailing window's centre and spread
      (mean and standard deviation, or median and 1.4826 x MAD), computed from
      days before today only (see int_indicator_baselines);
    - the spread used is the largest of the window's spread, `abs_floor` and
      `rel_floor` x |baseline|, so tiny absolute changes on a very steady
      history do not score high (and a constant history, spread 0, still has a
      defined z);
    - `direction` turns z into "worse" units: for 'lower_is_worse' a drop is
      positive;
    - z is rounded to 6 decimals (round_float), then compared inclusively
      with the ascending z cut points;
    - fewer than `min_history` days with a value in the window gives null:
      the row is marked insufficient_history, it is not a 1.

    `std_dev_z` is the z itself (for the context JSON); `score_std_dev` scores it.
-#}
{% macro std_dev_z(value_col, baseline_col, spread_col, abs_floor, rel_floor, direction) -%}
    (
        case when {{ direction }} = 'lower_is_worse' then -1.0 else 1.0 end
        * ({{ value_col }} - {{ baseline_col }})
        / greatest(
            coalesce({{ spread_col }}, 0),
            {{ abs_floor }},
            coalesce({{ rel_floor }}, 0) * abs({{ baseline_col }})
        )
    )
{%- endmacro %}

{% macro score_std_dev(value_col, baseline_col, spread_col, history_days, min_history, z_cut_2, z_cut_3, z_cut_4, z_cut_5, abs_floor, rel_floor, direction) -%}
    case
        when {{ value_col }} is null or {{ baseline_col }} is null then null
        when coalesce({{ history_days }}, 0) < {{ min_history }} then null
        else {{ score_static(
            round_float(std_dev_z(value_col, baseline_col, spread_col, abs_floor, rel_floor, direction)),
            z_cut_2, z_cut_3, z_cut_4, z_cut_5, "'higher_is_worse'") }}
    end
{%- endmacro %}
