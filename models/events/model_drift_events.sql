{#-
    One row per drift episode of an ML model (a registry row: name, version and
    horizon; one model may serve several horizons):
    a run of the model's horizon's consecutive scored as-of days on which this
    model was scored and at least one variable (a feature or the score) had a
    population stability index above the PSI cut (seed risk_settings)
    against the training window.

    - opened_on: the first drifted as-of day of the run;
    - open while the horizon's latest scoring is still by this model and still
      drifts; closed_on is the next as-of day of the horizon scored without
      drift, or scored by another model (the drifted one was replaced);
    - event_id is a hash of ('model_drift', model, horizon, opened_on): rebuilds keep ids;
    - the drifted variables of the episode's last drifted day, with their PSI,
      are in `context` and in the recommended action.

    Not in `events`: those are per asset/account and feed account risk. The
    Metabase views v_event_timeline / v_open_events show both (docs/decisions.md).
-#}

with

ml_drift_checks as (
    select * from {{ ref('ml_drift_checks') }}
),

ml_drift_warnings as (
    select * from {{ ref('ml_drift_warnings') }}
),

risk_settings as (
    select * from {{ ref('risk_settings') }}
),

horizon_days_scored as (
    -- the as-of days each horizon was scored (by whichever model), in order
    select
        horizon_days,
        as_of_date,
        dense_rank() over (partition by horizon_days order by as_of_date) as day_number,
        lead(as_of_date) over (partition by horizon_days order by as_of_date) as next_scored_on
    from (
        select distinct
            horizon_days,
            as_of_date
        from ml_drift_checks
    ) as scored
),

drifted_days as (
    select
        ml_drift_checks.*,
        -- consecutive scored days of the horizon share this number (gaps and islands)
        horizon_days_scored.day_number - row_number() over (
            partition by ml_drift_checks.horizon_days, ml_drift_checks.model_name, ml_drift_checks.model_version
            order by ml_drift_checks.as_of_date
        ) as island_key
    from ml_drift_checks
    inner join horizon_days_scored
        on
            ml_drift_checks.horizon_days = horizon_days_scored.horizon_days
            and ml_drift_checks.as_of_date = horizon_days_scored.as_of_date
    where ml_drift_checks.is_drifted
),

episodes as (
    select
        horizon_days,
        model_name,
        model_version,
        model_id,
        min(as_of_date) as opened_on,
        max(as_of_date) as last_drifted_on,
        count(*) as drifted_days,
        max(max_psi) as peak_psi,
        max(case when is_score_drifted then 1 else 0 end) as score_drift_flag,
        min(computed_at) as triggered_at
    from drifted_days
    group by horizon_days, model_name, model_version, model_id, island_key
),

with_status as (
    select
        episodes.*,
        horizon_days_scored.next_scored_on as closed_on,
        case when horizon_days_scored.next_scored_on is null then 'open' else 'closed' end as status,
        last_check.max_psi as latest_max_psi,
        last_check.reference_start,
        last_check.reference_end,
        last_check.current_rows
    from episodes
    inner join horizon_days_scored
        on
            episodes.horizon_days = horizon_days_scored.horizon_days
            and episodes.last_drifted_on = horizon_days_scored.as_of_date
    inner join ml_drift_checks as last_check
        on
            episodes.horizon_days = last_check.horizon_days
            and episodes.model_name = last_check.model_name
            and episodes.model_version = last_check.model_version
            and episodes.last_drifted_on = last_check.as_of_date
),

last_day_variables as (
    -- what drifted on the episode's last drifted day, worst first
    select
        with_status.horizon_days,
        with_status.model_name,
        with_status.model_version,
        with_status.opened_on,
        {{ string_agg_ordered(
            "case when ml_drift_warnings.variable_kind = 'score' then 'score' else ml_drift_warnings.variable_name end"
            ~ " || ' ' || cast(cast(ml_drift_warnings.psi as decimal(10, 2)) as " ~ dbt.type_string() ~ ")",
            "', '",
            'ml_drift_warnings.psi desc, ml_drift_warnings.variable_name asc'
        ) }} as drifted_variables,
        {{ json_array_agg(
            json_build_object([
                "'variable'", 'ml_drift_warnings.variable_name',
                "'kind'", 'ml_drift_warnings.variable_kind',
                "'psi'", 'ml_drift_warnings.psi'
            ]),
            'ml_drift_warnings.psi desc, ml_drift_warnings.variable_name asc'
        ) }} as drifted_variables_json,
        sum(case when ml_drift_warnings.variable_kind = 'feature' then 1 else 0 end) as features_drifted
    from with_status
    inner join ml_drift_warnings
        on
            with_status.horizon_days = ml_drift_warnings.horizon_days
            and with_status.model_name = ml_drift_warnings.model_name
            and with_status.model_version = ml_drift_warnings.model_version
            and with_status.last_drifted_on = ml_drift_warnings.as_of_date
    group by with_status.horizon_days, with_status.model_name, with_status.model_version, with_status.opened_on
),

final as (
    select
        {{ hash_uuid(["'model_drift'", 'with_status.model_name', 'with_status.model_version',
            'with_status.horizon_days', 'with_status.opened_on']) }} as event_id,
        cast('model_drift' as {{ dbt.type_string() }}) as event_definition_id,
        cast('ML model drift' as {{ dbt.type_string() }}) as event_name,
        cast(
            'PSI of a feature or of the score above '
            || cast(risk_settings.psi_drift_cut as {{ dbt.type_string() }})
            || ' against the training window' as {{ dbt.type_string() }}
        ) as event_trigger,
        cast('model' as {{ dbt.type_string() }}) as entity_type,
        with_status.model_name || ' ' || with_status.model_version as entity_id,
        with_status.model_id,
        with_status.model_name,
        with_status.model_version,
        cast(with_status.horizon_days as integer) as horizon_days,
        cast(with_status.status as {{ dbt.type_string() }}) as status,
        with_status.opened_on,
        with_status.closed_on,
        with_status.last_drifted_on,
        with_status.triggered_at,
        cast(
            {{ days_between(
                'with_status.opened_on', 'coalesce(with_status.closed_on, with_status.last_drifted_on + 1)'
            ) }} as integer
        ) as duration_days,
        cast(with_status.drifted_days as integer) as drifted_days,
        cast(last_day_variables.features_drifted as integer) as features_drifted,
        with_status.score_drift_flag = 1 as is_score_drifted,
        cast(with_status.peak_psi as {{ dbt.type_float() }}) as peak_psi,
        cast(with_status.latest_max_psi as {{ dbt.type_float() }}) as latest_max_psi,
        last_day_variables.drifted_variables,
        -- 4 when the predicted probabilities themselves moved, 3 when only inputs did
        cast(case when with_status.score_drift_flag = 1 then 4 else 3 end as integer) as severity,
        -- collectors have nothing to do: the data/ML owner retrains
        false as is_actionable,
        'Retrain the ' || cast(with_status.horizon_days as {{ dbt.type_string() }}) || '-day model ('
        || with_status.model_name || ' ' || with_status.model_version
        || ') with predelq train, after checking the data feeds: drifted since training: '
        || last_day_variables.drifted_variables as recommended_action,
        {{ json_build_object([
            "'model_name'", 'with_status.model_name',
            "'model_version'", 'with_status.model_version',
            "'horizon_days'", 'with_status.horizon_days',
            "'last_drifted_on'", 'cast(with_status.last_drifted_on as ' ~ dbt.type_string() ~ ')',
            "'reference_start'", 'cast(with_status.reference_start as ' ~ dbt.type_string() ~ ')',
            "'reference_end'", 'cast(with_status.reference_end as ' ~ dbt.type_string() ~ ')',
            "'current_rows'", 'with_status.current_rows',
            "'peak_psi'", 'with_status.peak_psi',
            "'drifted_variables'", json_value('last_day_variables.drifted_variables_json')
        ]) }} as context
    from with_status
    inner join last_day_variables
        on
            with_status.horizon_days = last_day_variables.horizon_days
            and with_status.model_name = last_day_variables.model_name
            and with_status.model_version = last_day_variables.model_version
            and with_status.opened_on = last_day_variables.opened_on
    cross join risk_settings
)

select * from final
