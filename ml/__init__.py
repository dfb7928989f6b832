"""The PredelQ delinquency scorer (import name `ml`).

Plain scikit-learn on top of the dbt feature table `ml.ml_features_daily`:

* `ml.features`  loads the point-in-time features (DuckDB or PostgreSQL) and checks them;
* `ml.train`     time-based split, logistic regression and HistGradientBoosting per horizon,
                 calibrated, saved with joblib and registered in `ml.model_registry`;
* `ml.score`     loads the active model per horizon, scores one as-of day, writes
                 `ml.delinquency_scores` (idempotent) and PSI drift to `ml.drift_results`;
* `ml.reasons`   the features that pushed a score up, in words a collector understands;
* `ml.drift`     population stability index.

Nothing here reads the simulator's `truth` schema; the backtest (predelq/evaluation/)
judges these models against it.
"""
