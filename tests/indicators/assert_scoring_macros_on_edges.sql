{#-
    The scoring and trigger macros on literal edge cases (a macro-level unit
    test that runs on every engine): values exactly on cut points / bands in
    both directions, just either side of them, null values, a zero spread
    held up by the noise floor, too little history, and each trigger type.
    Returns the cases whose result differs from the expected one.
-#}
with

static_cases as (
    select cases.* from (
        values
        ('higher on cut_2', 2.0, 'higher_is_worse', 2),
        ('higher below cut_2', 1.999999, 'higher_is_worse', 1),
        ('higher on cut_5', 14.0, 'higher_is_worse', 5),
        ('higher above cut_5', 1000.0, 'higher_is_worse', 5),
        ('lower on cut_2', 2.0, 'lower_is_worse', 2),
        ('lower above cut_2', 2.000001, 'lower_is_worse', 1),
        ('lower on cut_4', -7.0, 'lower_is_worse', 4),
        ('lower below cut_5', -100.0, 'lower_is_worse', 5)
    ) as cases (case_name, input_value, direction, expected)
),

static_results as (
    select
        'score_static ' || case_name as case_name,
        case
            when direction = 'higher_is_worse'
                then {{ score_static('input_value', 2, 4, 7, 14, "'higher_is_worse'") }}
            else {{ score_static('input_value', 2, -4, -7, -14, "'lower_is_worse'") }}
        end as actual,
        expected
    from static_cases
),

band_cases as (
    select cases.* from (
        values
        ('zero', 0.0, 1),
        ('just below band_2', 0.0999, 1),
        ('on band_2', 0.1, 2),
        ('on band_4', 0.35, 4),
        ('on band_5', 0.5, 5),
        ('certain', 1.0, 5)
    ) as cases (case_name, probability, expected)
),

band_results as (
    select
        'score_ml_band ' || case_name as case_name,
        {{ score_ml_band('probability', 0.1, 0.2, 0.35, 0.5) }} as actual,
        expected
    from band_cases
),

std_dev_cases as (
    select cases.* from (
        values
        ('spread 0 uses the floor', 7.0, 10.0, 0.0, 30, 'lower_is_worse', 2),
        ('on z_cut_3', 5.0, 10.0, 2.0, 30, 'lower_is_worse', 3),
        ('improvement', 15.0, 10.0, 2.0, 30, 'lower_is_worse', 1),
        ('higher is worse', 20.0, 10.0, 2.0, 30, 'higher_is_worse', 5),
        ('one day short of min history', 0.0, 10.0, 2.0, 13, 'lower_is_worse', null)
    ) as cases (case_name, input_value, baseline, spread, history_days, direction, expected)
),

std_dev_results as (
    select
        'score_std_dev ' || case_name as case_name,
        {{ score_std_dev(
            'input_value', 'baseline', 'spread', 'history_days', 14,
            1.5, 2.5, 3.5, 5, 2, 0, 'direction') }} as actual,
        expected
    from std_dev_cases
),

trigger_cases as (
    select cases.* from (
        values
        ('threshold on level', 4, 3, 0, 1),
        ('threshold below', 3, 3, 0, 0),
        ('threshold null score', null, 3, 0, 0),
        ('delta exactly', 4, 2, 2, 1),
        ('delta short', 4, 3, 2, 0),
        ('delta no previous', 4, null, 2, 0),
        ('trend enough rises', 3, null, 3, 1),
        ('trend one short', 2, null, 3, 0)
    ) as cases (case_name, score, previous_score, needed, expected)
),

trigger_results as (
    select
        'detect ' || case_name as case_name,
        case
            when case_name like 'threshold%'
                then case when {{ detect_threshold_events('score', 4) }} then 1 else 0 end
            when case_name like 'delta%'
                then case when {{ detect_delta_events('score', 'previous_score', 'needed') }} then 1 else 0 end
            else case when {{ detect_trend_events('score', 'needed') }} then 1 else 0 end
        end as actual,
        expected
    from trigger_cases
),

all_results as (
    select * from static_results
    union all
    select * from band_results
    union all
    select * from std_dev_results
    union all
    select * from trigger_results
)

select *
from all_results
where not coalesce(actual = expected, actual is null and expected is null)
