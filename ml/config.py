"""Names and settings the scorer shares (standard library only)."""

from __future__ import annotations

import os
from pathlib import Path

from predelq.landing import ML_SCHEMA as SCHEMA

PROJECT_DIR = Path(__file__).resolve().parent.parent

HORIZONS: tuple[int, ...] = (30, 90, 180)

# The dbt feature model (models/ml/ml_features_daily.sql) and the landing tables
# the Python code writes (DDL in predelq/landing.py).
FEATURES_TABLE = f"{SCHEMA}.ml_features_daily"
REGISTRY_TABLE = f"{SCHEMA}.model_registry"
SCORES_TABLE = f"{SCHEMA}.delinquency_scores"
DRIFT_TABLE = f"{SCHEMA}.drift_results"
SCORING_RUNS_TABLE = f"{SCHEMA}.scoring_runs"

KEY_COLUMNS = ("account_id", "as_of_date")
# Rows where the account is already 30+ DPD the day before the as-of day: never
# trained on, never scored (they are delinquent already).
DELINQUENT_FLAG = "is_delinquent_at_as_of"
# Feature columns are recognised by prefix; everything else is key, flag or label.
FEATURE_PREFIXES = ("acct_", "pay_", "tel_", "ind_")
# The payment-only baseline uses loan-book history alone (DPD, bounces, misses...).
PAYMENT_ONLY_PREFIXES = ("pay_",)

# The risk owner's thresholds (PSI cut, minimum validation AUC) are the seed
# risk_settings (seeds/risk_settings.csv), read from the warehouse after `dbt seed`.
RISK_SETTINGS_TABLE = "seeds.risk_settings"


def risk_setting(db, column: str) -> float:
    """One value of the seed risk_settings (`psi_drift_cut`, `min_validation_auc`)."""
    from predelq.errors import UserError

    schema, table = RISK_SETTINGS_TABLE.split(".")
    if not db.relation_exists(schema, table):
        raise UserError(f"{RISK_SETTINGS_TABLE} is missing: run `predelq dbt seed` (or `dbt build`) first")
    return float(db.query(f"select {column} from {RISK_SETTINGS_TABLE}")[0][0])


def min_active_auc(db) -> float:
    """Validation AUC a new model needs to become active: the seed's min_validation_auc,
    or $PREDELQ_ML_MIN_AUC when set (an override for tests and benchmarks)."""
    override = os.environ.get("PREDELQ_ML_MIN_AUC")
    return float(override) if override else risk_setting(db, "min_validation_auc")


def psi_drift_cut(db) -> float:
    """PSI above which a feature or the score has drifted: the seed's psi_drift_cut."""
    return risk_setting(db, "psi_drift_cut")


def label_column(horizon_days: int) -> str:
    return f"label_dpd30_{horizon_days}d"


def artifacts_dir() -> Path:
    """Folder for joblib artifacts: $PREDELQ_ML_ARTIFACTS, else ml_artifacts/ in the project."""
    configured = os.environ.get("PREDELQ_ML_ARTIFACTS")
    path = Path(configured) if configured else PROJECT_DIR / "ml_artifacts"
    return path if path.is_absolute() else PROJECT_DIR / path


def created_by() -> str:
    """Who trains: $PREDELQ_ML_CREATED_BY, else the OS user."""
    import getpass

    try:
        user = getpass.getuser()
    except Exception:  # pragma: no cover - no passwd entry
        user = "unknown"
    return os.environ.get("PREDELQ_ML_CREATED_BY", user)


def threads() -> int:
    """OpenMP/BLAS threads for fitting and scoring: $PREDELQ_ML_THREADS, default 1.

    On a busy 2-core machine, HistGradientBoosting with 2 OpenMP threads measured 10x
    slower than with 1 (threads spin waiting for each other); the data is small.
    """
    return max(1, int(os.environ.get("PREDELQ_ML_THREADS", "1")))


def thread_limits():
    """Context manager limiting the native thread pools to `threads()`."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=threads())
