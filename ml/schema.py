"""The `ml` landing tables the Python scorer writes (standard library only).

dbt reads them as sources (models/ml/_ml__sources.yml); only `predelq train`,
`predelq score` and the DuckDB Python model write them. `predelq db-create`
creates them next to `raw` (predelq/raw_schema.py calls `all_ddl`), and the
scorer creates them again if missing before writing.

* `model_registry`: the product team's inventory shape plus `horizon_days`.
* `delinquency_scores`: one row per account, as-of day and horizon.
* `drift_results`: PSI per feature and of the score, per scoring of an as-of day.
"""

from __future__ import annotations

from ml.config import SCHEMA

# table -> list of (column, portable type, constraint); types as in predelq.raw_schema.
ML_TABLES: dict[str, list[tuple[str, str, str]]] = {
    "model_registry": [
        ("id", "uuid", "primary key"),
        ("name", "text", "not null"),
        ("version", "text", "not null"),
        ("horizon_days", "integer", "not null"),
        ("description", "text", ""),
        ("storage_path", "text", "not null"),
        ("trained_at", "timestamptz", ""),
        ("training_data_start", "date", ""),
        ("training_data_end", "date", ""),
        ("metrics", "json", ""),
        ("is_active", "boolean", "not null"),
        ("created_by", "text", ""),
        ("created_at", "timestamptz", "not null"),
    ],
    "delinquency_scores": [
        ("account_id", "uuid", "not null"),
        ("as_of_date", "date", "not null"),
        ("horizon_days", "integer", "not null"),
        ("probability", "double", "not null"),
        ("model_name", "text", "not null"),
        ("model_version", "text", "not null"),
        ("top_reasons", "text", ""),
        ("scored_at", "timestamptz", "not null"),
    ],
    "drift_results": [
        ("run_id", "uuid", "not null"),
        ("computed_at", "timestamptz", "not null"),
        ("as_of_date", "date", "not null"),
        ("horizon_days", "integer", "not null"),
        ("model_name", "text", "not null"),
        ("model_version", "text", "not null"),
        ("variable_name", "text", "not null"),
        ("variable_kind", "text", "not null"),
        ("psi", "double", ""),
        ("is_drifted", "boolean", "not null"),
        ("reference_start", "date", ""),
        ("reference_end", "date", ""),
        ("reference_rows", "integer", ""),
        ("current_rows", "integer", ""),
    ],
}

_INDEXES = [
    # one model version is registered once per horizon it serves (the pre-delinquency model: 30, 90, 180)
    "DROP INDEX IF EXISTS {s}.model_registry_name_version",
    "CREATE UNIQUE INDEX IF NOT EXISTS model_registry_name_version_horizon "
    "ON {s}.model_registry (name, version, horizon_days)",
    "CREATE UNIQUE INDEX IF NOT EXISTS delinquency_scores_key "
    "ON {s}.delinquency_scores (account_id, as_of_date, horizon_days)",
    "CREATE UNIQUE INDEX IF NOT EXISTS drift_results_key "
    "ON {s}.drift_results (as_of_date, horizon_days, model_name, model_version, variable_name)",
]


def all_ddl(engine: str) -> list[str]:
    """Statements that create the ml schema and its landing tables if missing."""
    from predelq.raw_schema import ddl

    stmts = [f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"]
    stmts += [ddl(SCHEMA, table, cols, engine) for table, cols in ML_TABLES.items()]
    if engine != "spark":  # Spark tables have no indexes
        stmts += [s.format(s=SCHEMA) for s in _INDEXES]
    return stmts
