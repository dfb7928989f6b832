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

PSI_WARNING = 0.25


def min_active_auc() -> float:
    """Hold-out AUC a new model needs to become active: $PREDELQ_ML_MIN_AUC, default 0.6."""
    return float(os.environ.get("PREDELQ_ML_MIN_AUC", "0.6"))


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
