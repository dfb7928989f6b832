"""dbt Python model (DuckDB only): score the latest as-of day inside `dbt build`.

Runs the same code as `predelq score` (ml.score.score) on dbt's own DuckDB session:
the active model of each horizon scores the accounts of the latest as-of day of
`ml_features_daily`, and the scores and drift are written to the landing tables
ml.delinquency_scores / ml.drift_results (replacing that day's rows), which
`ml_delinquency_scores` and `ml_drift_warnings` read.

This model's own table is the run summary: one row per horizon, scored or not.
It never trains (`predelq train`, or `make demo`, does): a horizon without a usable
active model (none yet, artifact missing, a feature column missing) is skipped, with
the reason in the log and in the row, so the rule-based indicators and events
downstream still build. PostgreSQL has no Python models: there `predelq score` does
the same between two builds (this model is disabled there, _ml__python_models.yml).
"""


def model(dbt, session):
    dbt.config(materialized="table")
    features = dbt.ref("ml_features_daily")
    dbt.source("ml", "model_registry")  # lineage: the active models are read from the registry
    dbt.ref("risk_settings")  # the PSI cut is read from it: loaded before this model runs

    from ml.score import score_in_dbt

    return score_in_dbt(session, features)
