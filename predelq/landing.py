"""Every landing table: the tables Python creates and writes, in one place.

dbt never creates these; it reads them as sources (and its on-run-end hook inserts
into `ops.pipeline_runs`). This module imports nothing from the project, so the
loader, the simulator, the scorer, the quality checks and `predelq db-create` can
all import it (docs/decisions.md D21).

* `raw`: what the loader and the simulator land (below).
* `truth`: the simulated portfolio's ground truth (evaluation only).
* `ml`: what the scorer writes (model registry, scores, drift).
* `ops`: the run log of dbt (`pipeline_runs`) and `predelq check`'s results.

Column names and types of `raw` follow the product team's architecture inventory
(../shared/seeds), with the deviations recorded in docs/decisions.md:

* `raw_telemetry` carries the identifier the feed sent (`device_id`); `asset_id`
  is only filled when the feed already knew the asset. Staging resolves devices
  to assets through `entity_identifiers` by validity window.
* `entity_identifiers` is unique on (entity_type, identifier_type,
  identifier_value, valid_from), not without valid_from: devices get re-assigned.
* `customers` carries personal data (name, phone, email) so that the project can
  prove PII stays out of the marts.
* `pois` is the product team's POI table (owner = asset, customer or OEM).

Types are written once in a portable spelling; `ddl()` maps the ones that differ.
"""

from __future__ import annotations

RAW_SCHEMA = "raw"
TRUTH_SCHEMA = "truth"
ML_SCHEMA = "ml"
OPS_SCHEMA = "ops"

# table -> list of (column, type, constraint). `json` becomes JSON on DuckDB and
# JSONB on PostgreSQL. Keys are declared, but there are no foreign keys: raw is a
# landing zone, referential checks are dbt source tests.
RAW_TABLES: dict[str, list[tuple[str, str, str]]] = {
    "oems": [
        ("id", "uuid", "primary key"),
        ("name", "text", "not null"),
        ("country", "text", ""),
        ("created_at", "timestamptz", ""),
    ],
    "asset_models": [
        ("id", "uuid", "primary key"),
        ("oem_id", "uuid", "not null"),
        ("name", "text", "not null"),
        ("vehicle_type", "text", ""),
        ("battery_capacity_kwh", "decimal(6,2)", ""),
        ("created_at", "timestamptz", ""),
    ],
    "customers": [
        ("id", "uuid", "primary key"),
        ("status", "text", "not null"),
        ("full_name", "text", ""),
        ("phone", "text", ""),
        ("email", "text", ""),
        ("city", "text", ""),
        ("created_at", "timestamptz", ""),
        ("updated_at", "timestamptz", ""),
    ],
    "accounts": [
        ("id", "uuid", "primary key"),
        ("customer_id", "uuid", "not null"),
        ("status", "text", "not null"),
        ("loan_amount", "decimal(12,2)", ""),
        ("tenure_months", "integer", ""),
        ("interest_rate", "decimal(5,4)", ""),
        ("disbursement_date", "date", ""),
        ("maturity_date", "date", ""),
        ("created_at", "timestamptz", ""),
        ("updated_at", "timestamptz", ""),
    ],
    "assets": [
        ("id", "uuid", "primary key"),
        ("account_id", "uuid", "not null"),
        ("asset_model_id", "uuid", ""),
        ("status", "text", "not null"),
        ("year_of_manufacture", "integer", ""),
        ("created_at", "timestamptz", ""),
        ("updated_at", "timestamptz", ""),
    ],
    "entity_identifiers": [
        ("id", "uuid", "primary key"),
        ("entity_type", "text", "not null"),
        ("entity_id", "uuid", "not null"),
        ("identifier_type", "text", "not null"),
        ("identifier_value", "text", "not null"),
        ("source", "text", ""),
        ("is_primary", "boolean", ""),
        ("valid_from", "date", "not null"),
        ("valid_to", "date", ""),
        ("created_at", "timestamptz", ""),
    ],
    "pois": [
        ("id", "uuid", "primary key"),
        ("owner_type", "text", "not null"),
        ("owner_id", "uuid", "not null"),
        ("poi_type", "text", "not null"),
        ("name", "text", ""),
        ("lat", "decimal(10,7)", "not null"),
        ("lon", "decimal(10,7)", "not null"),
        ("radius_m", "integer", ""),
        ("created_at", "timestamptz", ""),
    ],
    "repayment_schedule": [
        ("id", "uuid", "primary key"),
        ("account_id", "uuid", "not null"),
        ("installment_number", "integer", "not null"),
        ("due_date", "date", "not null"),
        ("principal_component", "decimal(12,2)", ""),
        ("interest_component", "decimal(12,2)", ""),
        ("total_due", "decimal(12,2)", "not null"),
        ("created_at", "timestamptz", ""),
    ],
    "payments": [
        ("id", "uuid", "primary key"),
        ("account_id", "uuid", "not null"),
        ("due_date", "date", "not null"),
        ("paid_date", "date", ""),
        ("amount_due", "decimal(12,2)", "not null"),
        ("amount_paid", "decimal(12,2)", ""),
        ("payment_method", "text", ""),
        ("status", "text", "not null"),
        ("bounce_reason", "text", ""),
        ("created_at", "timestamptz", ""),
    ],
    "delinquency_events": [
        ("id", "uuid", "primary key"),
        ("account_id", "uuid", "not null"),
        ("event_type", "text", "not null"),
        ("triggered_at", "timestamptz", "not null"),
        ("resolved_at", "timestamptz", ""),
        ("days_past_due", "integer", ""),
        ("outstanding_amount", "decimal(12,2)", ""),
        ("created_at", "timestamptz", ""),
    ],
    "raw_telemetry": [
        ("id", "uuid", "not null"),
        ("device_id", "text", ""),
        ("asset_id", "uuid", ""),
        ("ts", "timestamptz", ""),
        ("lat", "decimal(10,7)", ""),
        ("lon", "decimal(10,7)", ""),
        ("soc", "decimal(5,2)", ""),
        ("odometer", "decimal(12,2)", ""),
        ("speed", "decimal(6,2)", ""),
        ("is_charging", "boolean", ""),
        ("raw_payload", "json", ""),
        ("ingested_at", "timestamptz", "not null"),
        ("load_batch_id", "uuid", ""),
    ],
}
# Old telemetry is moved here by `dbt run-operation archive_raw_telemetry`.
RAW_TABLES["raw_telemetry_archive"] = list(RAW_TABLES["raw_telemetry"])
# PostgreSQL: one partition per local day, created ahead by the writers (predelq/partitions.py).
PARTITIONED_BY_DAY = ("raw_telemetry", "raw_telemetry_archive")

# Written by `predelq load` (predelq/loader). One row per file the loader judged:
# id (= load_batch_id on the rows it wrote), file_name / file_path as given,
# file_sha256 (hex digest of the bytes: the idempotency key), file_bytes,
# file_format (csv, csv.gz, parquet, jsonl), target_table (raw table written, null
# if refused before it was known), status (`loaded` or `refused`), rows_in =
# rows_loaded + rows_quarantined, message (refusal reason or quarantine summary),
# started_at / completed_at (UTC).
RAW_TABLES["load_batches"] = [
    ("id", "uuid", "primary key"),
    ("file_name", "text", "not null"),
    ("file_path", "text", ""),
    ("file_sha256", "text", "not null"),
    ("file_bytes", "bigint", ""),
    ("file_format", "text", ""),
    ("target_table", "text", ""),
    ("status", "text", "not null"),
    ("rows_in", "bigint", ""),
    ("rows_loaded", "bigint", ""),
    ("rows_quarantined", "bigint", ""),
    ("message", "text", ""),
    ("started_at", "timestamptz", "not null"),
    ("completed_at", "timestamptz", ""),
]
# Rows `predelq load` did not write, one per rejected input row: load_batch_id,
# target_table, row_number (1-based record number in the file: CSV data line,
# JSON line, Parquet row), reason (snake_case: missing_value, unparseable_timestamp,
# unparseable_value, future_timestamp, out_of_range, invalid_value, unknown_device,
# ambiguous_device, unknown_account, duplicate, malformed_row), detail (readable:
# which field, which value), record (the row as sent, JSON), quarantined_at (UTC).
RAW_TABLES["load_quarantine"] = [
    ("load_batch_id", "uuid", "not null"),
    ("target_table", "text", "not null"),
    ("row_number", "bigint", "not null"),
    ("reason", "text", "not null"),
    ("detail", "text", "not null"),
    ("record", "json", ""),
    ("quarantined_at", "timestamptz", "not null"),
]

# Human actions on early-warning events (acknowledge / resolve / note / outcome),
# written by the collections tool, never by dbt: a rebuild never loses them.
# event_id is events.event_id (deterministic, so actions survive rebuilds).
RAW_TABLES["event_actions"] = [
    ("id", "uuid", "primary key"),
    ("event_id", "uuid", "not null"),
    ("action_type", "text", "not null"),  # acknowledge, resolve, note, outcome
    ("outcome", "text", ""),  # paid, promise_to_pay, restructured, repossessed, written_off, ...
    ("note", "text", ""),
    ("actor", "text", ""),
    ("acted_at", "timestamptz", "not null"),
    ("created_at", "timestamptz", ""),
]

# Ground truth of the simulated portfolio (`predelq simulate`, see predelq/simulate/).
# Only evaluation reads it; no dbt model does.
TRUTH_TABLES: dict[str, list[tuple[str, str, str]]] = {
    # one row per account: who the simulator made it (never its fate: that emerged)
    "accounts": [
        ("account_id", "uuid", "primary key"),
        # archetype: healthy / gradual_decline / sudden_shock / stressed_recovers / goes_dark
        ("cohort", "text", "not null"),
        ("shows_in_telemetry", "boolean", "not null"),  # whether its own episodes change its driving
        ("signal_strength", "double", "not null"),
        ("baseline_risk", "double", "not null"),
        ("episodes_started", "integer", "not null"),  # episodes of trouble started while on book
        ("first_episode_date", "date", ""),
        ("dark_from_date", "date", ""),  # day its device went silent for good
    ],
    # one row per account and local day from disbursement to end_date
    "account_daily_risk": [
        ("account_id", "uuid", "not null"),
        ("day", "date", "not null"),
        ("latent_risk", "double", "not null"),  # drives payments (and driving, if shows_in_telemetry)
        ("episode_risk", "double", "not null"),  # the part of latent_risk from the account's own episode
        ("telemetry_stress", "double", "not null"),  # what drove the day's telemetry (0 = normal)
    ],
    # the Monte-Carlo oracle: one row per sampled account-day and horizon (predelq/simulate/oracle.py)
    "oracle": [
        ("account_id", "uuid", "not null"),
        ("as_of_date", "date", "not null"),  # state at the end of the day before
        ("horizon_days", "integer", "not null"),
        ("n_draws", "integer", "not null"),
        ("estimate", "double", "not null"),  # share of re-simulated futures with a dpd_30 in the window
        ("dpd_on_eve", "integer", "not null"),  # DPD at the end of the day before
        ("ever_dpd30", "boolean", "not null"),  # the loan reached 30+ DPD before the as-of day
    ],
    # one row: the run's parameters; `parameters` JSON has counts (dirty rows, cohorts, swaps...)
    "runs": [
        ("seed", "bigint", "not null"),
        ("n_assets", "integer", "not null"),
        ("n_accounts", "integer", "not null"),
        ("days", "integer", "not null"),
        ("end_date", "date", "not null"),
        ("minute_step", "integer", "not null"),
        ("dirty_rate", "double", "not null"),
        ("signal_strength", "double", "not null"),
        ("parameters", "json", ""),
    ],
    # one row per kind of dirty telemetry injected, with how many (rows, or events for resets)
    "telemetry_dirty": [
        ("kind", "text", "primary key"),
        ("n", "bigint", "not null"),
    ],
}

# What the scorer writes (`predelq train`, `predelq score`; ml/). dbt reads them as
# sources (models/ml/_ml__sources.yml).
ML_TABLES: dict[str, list[tuple[str, str, str]]] = {
    # the product team's inventory shape plus `horizon_days`
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
    # one row per account, as-of day and horizon
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
    # PSI per feature and of the score, per scoring of an as-of day
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
    # the last scoring of each horizon: scored, or not_scored and why (ml.score.record_summary)
    "scoring_runs": [
        ("as_of_date", "date", ""),
        ("horizon_days", "integer", "not null"),
        ("status", "text", "not null"),
        ("message", "text", ""),
        ("model_name", "text", ""),
        ("model_version", "text", ""),
        ("accounts_scored", "bigint", ""),
        ("days_scored", "bigint", ""),
        ("mean_probability", "double", ""),
        ("features_drifted", "bigint", ""),
        ("score_psi", "double", ""),
        ("scored_at", "timestamptz", "not null"),
    ],
}

# What the pipeline writes about itself (sources in models/marts/ops/_ops__sources.yml).
OPS_TABLES: dict[str, list[tuple[str, str, str]]] = {
    # dbt's run log: one row per node result per invocation, inserted by the
    # on-run-end hook (macros/ops/log_run_results.sql); key (run_id, node_id)
    "pipeline_runs": [
        ("run_id", "varchar(64)", "not null"),
        ("node_id", "varchar(512)", "not null"),
        ("node_name", "varchar(256)", "not null"),
        ("resource_type", "varchar(32)", "not null"),
        ("materialization", "varchar(32)", ""),
        ("status", "varchar(32)", "not null"),
        ("rows_affected", "bigint", ""),
        ("failures", "bigint", ""),
        ("execution_seconds", "double", ""),
        ("started_at", "timestamptz", ""),
        ("completed_at", "timestamptz", ""),
        ("duration_ms", "bigint", ""),
        ("error_message", "text", ""),
        ("command", "varchar(32)", ""),
        ("target_name", "varchar(64)", ""),
        ("run_started_at", "timestamptz", ""),
        ("run_metadata", "json", ""),
        ("created_at", "timestamptz", "not null"),
    ],
    # `predelq check`'s results: one row per expectation per run (predelq/quality/runner.py)
    "data_quality_checks": [
        ("check_run_id", "varchar(64)", "not null"),
        ("checked_at", "timestamptz", "not null"),
        ("target_name", "varchar(32)", "not null"),
        ("suite_name", "varchar(128)", "not null"),
        ("table_name", "varchar(128)", "not null"),
        ("batch_description", "text", ""),
        ("expectation_type", "varchar(128)", "not null"),
        ("column_name", "varchar(256)", ""),
        ("severity", "varchar(16)", "not null"),
        ("success", "boolean", "not null"),
        ("element_count", "bigint", ""),
        ("unexpected_count", "bigint", ""),
        ("unexpected_percent", "double", ""),
        ("observed_value", "text", ""),
        ("why", "text", ""),
        ("details", "json", ""),
        ("data_docs_path", "text", ""),
    ],
}
# Keys over several columns (not on Spark, whose tables have none).
TABLE_KEYS: dict[tuple[str, str], str] = {(OPS_SCHEMA, "pipeline_runs"): "primary key (run_id, node_id)"}

SCHEMAS: dict[str, dict[str, list[tuple[str, str, str]]]] = {
    RAW_SCHEMA: RAW_TABLES,
    TRUTH_SCHEMA: TRUTH_TABLES,
    ML_SCHEMA: ML_TABLES,
    OPS_SCHEMA: OPS_TABLES,
}

INDEXES: dict[str, list[str]] = {
    # PostgreSQL only: a filter on ts alone cannot use (asset_id, ts); BRIN fits time-ordered rows.
    RAW_SCHEMA: [
        "CREATE INDEX IF NOT EXISTS raw_telemetry_ts_brin ON raw.raw_telemetry USING brin (ts)",
        "CREATE INDEX IF NOT EXISTS raw_telemetry_device_ts ON raw.raw_telemetry (device_id, ts)",
        "CREATE INDEX IF NOT EXISTS raw_telemetry_archive_ts_brin "
        "ON raw.raw_telemetry_archive USING brin (ts)",
        "CREATE INDEX IF NOT EXISTS payments_account_due ON raw.payments (account_id, due_date)",
        "CREATE INDEX IF NOT EXISTS entity_identifiers_value ON raw.entity_identifiers (identifier_value)",
    ],
    # DuckDB and PostgreSQL
    ML_SCHEMA: [
        # one model version is registered once per horizon it serves (the pre-delinquency model: 30, 90, 180)
        "DROP INDEX IF EXISTS ml.model_registry_name_version",
        "CREATE UNIQUE INDEX IF NOT EXISTS model_registry_name_version_horizon "
        "ON ml.model_registry (name, version, horizon_days)",
        "CREATE UNIQUE INDEX IF NOT EXISTS delinquency_scores_key "
        "ON ml.delinquency_scores (account_id, as_of_date, horizon_days)",
        "CREATE UNIQUE INDEX IF NOT EXISTS drift_results_key "
        "ON ml.drift_results (as_of_date, horizon_days, model_name, model_version, variable_name)",
    ],
}

_TYPE_MAP = {
    "duckdb": {"json": "JSON", "double": "DOUBLE"},
    "postgres": {"json": "JSONB", "double": "DOUBLE PRECISION"},
    # Spark: no uuid or json type (strings), TIMESTAMP is an instant (session time zone UTC)
    "spark": {
        "json": "STRING",
        "double": "DOUBLE",
        "uuid": "STRING",
        "text": "STRING",
        "timestamptz": "TIMESTAMP",
    },
}

# Spark tables are Parquet; the telemetry ones are partitioned by the UTC day of
# `ts` (an extra column on Spark only: column, type, how it is computed from a row).
SPARK_PARTITIONS: dict[str, tuple[str, str, str]] = {
    "raw_telemetry": ("ts_day", "date", "to_date(ts)"),
    "raw_telemetry_archive": ("ts_day", "date", "to_date(ts)"),
}


def column_type(sql_type: str, engine: str) -> str:
    if engine == "spark" and sql_type.startswith("varchar"):
        return "STRING"
    return _TYPE_MAP[engine].get(sql_type, sql_type.upper())


def ddl(schema: str, table: str, columns, engine: str) -> str:
    if engine == "spark":
        part = SPARK_PARTITIONS.get(table)
        specs = [f"{name} {column_type(typ, engine)}" for name, typ, _ in columns]
        if part:
            specs.append(f"{part[0]} {column_type(part[1], engine)}")
        cols = ",\n    ".join(specs)
        partitioned = f" PARTITIONED BY ({part[0]})" if part else ""
        return f"CREATE TABLE IF NOT EXISTS {schema}.{table} (\n    {cols}\n) USING parquet{partitioned}"
    specs = [f"{name} {column_type(typ, engine)} {constraint}".rstrip() for name, typ, constraint in columns]
    if (schema, table) in TABLE_KEYS:
        specs.append(TABLE_KEYS[(schema, table)])
    cols = ",\n    ".join(specs)
    partitioned = ""
    if engine == "postgres" and schema == RAW_SCHEMA and table in PARTITIONED_BY_DAY:
        partitioned = " PARTITION BY RANGE (ts)"  # predelq/partitions.py
    return f"CREATE TABLE IF NOT EXISTS {schema}.{table} (\n    {cols}\n){partitioned}"


def schema_ddl(schema: str, engine: str) -> list[str]:
    """Statements that create one landing schema, its tables and their indexes if missing."""
    stmts = [f"CREATE SCHEMA IF NOT EXISTS {schema}"]
    stmts += [ddl(schema, t, cols, engine) for t, cols in SCHEMAS[schema].items()]
    if engine == "postgres" and schema == RAW_SCHEMA:
        # each day-partitioned table's default partition (the day partitions: predelq/partitions.py)
        stmts += [
            f"CREATE TABLE IF NOT EXISTS {schema}.{t}_default PARTITION OF {schema}.{t} DEFAULT"
            for t in PARTITIONED_BY_DAY
        ]
    if schema == ML_SCHEMA and engine != "spark" or schema == RAW_SCHEMA and engine == "postgres":
        stmts += INDEXES[schema]
    return stmts


def all_ddl(engine: str, include_truth: bool = True) -> list[str]:
    """Statements that create every landing table (raw, truth, ml, ops) if missing."""
    schemas = [RAW_SCHEMA, *([TRUTH_SCHEMA] if include_truth else []), ML_SCHEMA, OPS_SCHEMA]
    return [stmt for schema in schemas for stmt in schema_ddl(schema, engine)]
