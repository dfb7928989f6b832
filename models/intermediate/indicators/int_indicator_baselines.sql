{#-
    One row per std-dev indicator, entity and day: the entity's own trailing
    baseline for that day, from the days before it only (never the day itself).

    For day d the window is the days d - gap - window_days .. d - gap - 1 that
    have a value (gap = baseline_gap_days, default 0; only the same weekday
    when seasonality = day_of_week). A gap compares today with where the entity
    was some weeks ago, so a slow drift is not absorbed by its own baseline. Which history days
    are anomalies is decided from the values themselves, never from earlier
    scores, so the result does not depend on the order days were processed:
    a day further than outlier_mad_cut x max(1.4826 MAD, abs_noise_floor) from
    the window's median is left out of the mean / std-dev. With statistic =
    median the baseline is the window median and the spread 1.4826 x MAD (both
    already robust, no day left out). The window is a join of each day to its
    trailing days (identical on DuckDB and Postgres; see macro median_agg).
    On PostgreSQL the CTEs feeding that join are fenced and nested loops are off
    (macro materialized_cte; hash_joins_only, a pre-hook of every indicator model): 177 s -> 2 s at 100 vehicles x 61 days.
    The join, sorts and aggregates carry one integer per indicator and entity
    (series_id) rather than two text keys; with that and the fenced mean_windows
    the demo portfolio's 8.7 M history rows take 25-31 s on PostgreSQL instead
    of 60 s (D26).
-#}
{{ config(**incremental_config(
    ['indicator_id', 'metric_date'], definitions='int_indicator_parameters_typed', day_column='metric_date'
)) }}

with

int_indicator_inputs as (
    select * from {{ ref('int_indicator_inputs') }}
),

int_indicator_parameters_typed as (
    select * from {{ ref('int_indicator_parameters_typed') }}
),

std_dev_indicators as (
    select
        indicator_id,
        window_days,
        coalesce(baseline_gap_days, 0) as baseline_gap_days,
        statistic,
        seasonality,
        outlier_mad_cut,
        abs_noise_floor,
        threshold_version
    from int_indicator_parameters_typed
    where is_active and aggregation_type = 'atomic' and scoring_method = 'std_dev'
),

inputs as {{ materialized_cte() }} (
    select
        int_indicator_inputs.indicator_id,
        int_indicator_inputs.entity_type,
        int_indicator_inputs.entity_id,
        int_indicator_inputs.metric_date,
        int_indicator_inputs.value
    from int_indicator_inputs
    inner join std_dev_indicators
        on int_indicator_inputs.indicator_id = std_dev_indicators.indicator_id
    where int_indicator_inputs.value is not null
),

series as {{ materialized_cte() }} (
    -- one integer per indicator and entity: the window join, sorts and aggregates below
    -- carry (series_id, day) instead of two text keys (PostgreSQL compares text with the
    -- collation, on every comparison of a sort of millions of history rows)
    select
        indicator_id,
        entity_id,
        row_number() over (order by indicator_id, entity_id) as series_id
    from (
        select distinct
            indicator_id,
            entity_id
        from inputs
    ) as indicator_entities
),

series_values as {{ materialized_cte() }} (
    select
        series.series_id,
        inputs.metric_date,
        inputs.value
    from inputs
    inner join series
        on
            inputs.indicator_id = series.indicator_id
            and inputs.entity_id = series.entity_id
),

target_days as {{ materialized_cte() }} (
    select
        series.series_id,
        inputs.indicator_id,
        inputs.entity_type,
        inputs.entity_id,
        inputs.metric_date,
        std_dev_indicators.statistic,
        std_dev_indicators.outlier_mad_cut,
        std_dev_indicators.abs_noise_floor,
        std_dev_indicators.threshold_version
    from inputs
    inner join series
        on
            inputs.indicator_id = series.indicator_id
            and inputs.entity_id = series.entity_id
    inner join std_dev_indicators
        on inputs.indicator_id = std_dev_indicators.indicator_id
    where {{ incremental_rescore_filter(
        'inputs.metric_date', 'inputs.indicator_id', 'std_dev_indicators',
        'metric_date', 'indicator_id', 'threshold_version') }}
),

digits as (
    {%- for d in range(10) %}
    select {{ d }} as digit
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

day_offsets as (
    -- 1..999 days back (window_days + baseline_gap_days is at most 730: the seed tests of indicator_std_dev_rules)
    select ones.digit + 10 * tens.digit + 100 * hundreds.digit as days_back
    from digits as ones
    cross join digits as tens
    cross join digits as hundreds
    where ones.digit + tens.digit + hundreds.digit > 0
),

indicator_offsets as {{ materialized_cte() }} (
    -- per indicator, the days back its window covers (a small table: the join below is on equality)
    select
        std_dev_indicators.indicator_id,
        day_offsets.days_back
    from std_dev_indicators
    inner join day_offsets
        on
            std_dev_indicators.baseline_gap_days < day_offsets.days_back
            and std_dev_indicators.window_days + std_dev_indicators.baseline_gap_days >= day_offsets.days_back
            and (std_dev_indicators.seasonality != 'day_of_week' or mod(day_offsets.days_back, 7) = 0)
),

target_history_days as {{ materialized_cte() }} (
    -- one row per target day and each day of its window (the day is a column, so the join
    -- below is a plain equality join: much faster on DuckDB than an expression in the condition)
    select
        target_days.series_id,
        target_days.metric_date,
        target_days.metric_date - indicator_offsets.days_back as history_date
    from target_days
    inner join indicator_offsets
        on target_days.indicator_id = indicator_offsets.indicator_id
),

history as (
    -- one row per target day and each day of its window that has a value
    select
        target_history_days.series_id,
        target_history_days.metric_date,
        series_values.value as history_value
    from target_history_days
    inner join series_values
        on
            target_history_days.series_id = series_values.series_id
            and target_history_days.history_date = series_values.metric_date
),

window_medians as (
    select
        series_id,
        metric_date,
        count(*) as history_days,
        {{ median_agg('history_value') }} as window_median
    from history
    group by series_id, metric_date
),

window_mads as (
    select
        history.series_id,
        history.metric_date,
        {{ median_agg('abs(history.history_value - window_medians.window_median)') }} as window_mad
    from history
    inner join window_medians
        on
            history.series_id = window_medians.series_id
            and history.metric_date = window_medians.metric_date
    group by history.series_id, history.metric_date
),

robust_windows as (
    select
        window_medians.series_id,
        window_medians.metric_date,
        window_medians.history_days,
        window_medians.window_median,
        window_mads.window_mad
    from window_medians
    inner join window_mads
        on
            window_medians.series_id = window_mads.series_id
            and window_medians.metric_date = window_mads.metric_date
),

mean_windows as {{ materialized_cte() }} (
    -- the windows of the mean / std-dev indicators, with how far from the median a day may lie
    -- (fenced: PostgreSQL then hashes these windows, not the history rows it is joined to)
    select
        robust_windows.series_id,
        robust_windows.metric_date,
        robust_windows.window_median,
        target_days.outlier_mad_cut
        * greatest(1.4826 * robust_windows.window_mad, target_days.abs_noise_floor) as max_distance
    from robust_windows
    inner join target_days
        on
            robust_windows.series_id = target_days.series_id
            and robust_windows.metric_date = target_days.metric_date
    where target_days.statistic = 'mean'
),

kept_history as (
    -- the window without its outlying days, for the mean / std-dev baseline
    select
        history.series_id,
        history.metric_date,
        count(*) as kept_days,
        -- exact decimal sums: the result does not depend on the order rows are added
        sum(history.history_value) as kept_sum,
        sum(history.history_value * history.history_value) as kept_sum_of_squares
    from history
    inner join mean_windows
        on
            history.series_id = mean_windows.series_id
            and history.metric_date = mean_windows.metric_date
    where abs(history.history_value - mean_windows.window_median) <= mean_windows.max_distance
    group by history.series_id, history.metric_date
),

kept_moments as (
    select
        series_id,
        metric_date,
        kept_days,
        cast(kept_sum as {{ dbt.type_float() }}) / kept_days as kept_mean,
        case
            when kept_days > 1
                then sqrt(greatest(
                    (
                        cast(kept_sum_of_squares as {{ dbt.type_float() }})
                        - cast(kept_sum as {{ dbt.type_float() }}) * cast(kept_sum as {{ dbt.type_float() }})
                        / kept_days
                    ) / (kept_days - 1),
                    0
                ))
            else 0
        end as kept_std
    from kept_history
),

final as (
    -- rounded to 6 decimals so that both engines store the same numbers
    select
        target_days.indicator_id,
        target_days.entity_type,
        target_days.entity_id,
        target_days.metric_date,
        target_days.statistic,
        coalesce(robust_windows.history_days, 0) as history_days,
        case
            when target_days.statistic = 'mean' then coalesce(kept_moments.kept_days, 0)
            else coalesce(robust_windows.history_days, 0)
        end as baseline_days,
        {{ round_float('robust_windows.window_median') }} as window_median,
        {{ round_float('1.4826 * robust_windows.window_mad') }} as window_mad_scaled,
        case
            when target_days.statistic = 'mean' then {{ round_float('kept_moments.kept_mean') }}
            else {{ round_float('robust_windows.window_median') }}
        end as baseline_value,
        case
            when target_days.statistic = 'mean' and kept_moments.kept_days > 0
                then {{ round_float('coalesce(kept_moments.kept_std, 0)') }}
            when target_days.statistic != 'mean'
                then {{ round_float('1.4826 * robust_windows.window_mad') }}
        end as baseline_spread,
        target_days.threshold_version
    from target_days
    left join robust_windows
        on
            target_days.series_id = robust_windows.series_id
            and target_days.metric_date = robust_windows.metric_date
    left join kept_moments
        on
            target_days.series_id = kept_moments.series_id
            and target_days.metric_date = kept_moments.metric_date
)

select * from final
