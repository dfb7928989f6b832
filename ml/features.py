"""Loading and checking the point-in-time feature table `ml.ml_features_daily`.

The table is a dbt model: one row per account and as-of day, built only from data
strictly before the as-of day, plus the labels. Feature columns are recognised by
prefix (`acct_`, `pay_`, `tel_`, `ind_`; see ml.config). Both engines return the
same frame: account_id as text, as_of_date as datetime64, features as float64
(missing = NaN), labels as float64 with NaN where unknowable.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ml import config
from ml.db import Db
from predelq.errors import UserError


def feature_columns(columns, prefixes: tuple[str, ...] = config.FEATURE_PREFIXES) -> list[str]:
    return [c for c in columns if c.startswith(prefixes)]


def table_columns(db: Db) -> list[str]:
    """Columns of the feature table; a clear error when it is missing."""
    schema, table = config.FEATURES_TABLE.split(".")
    cols = db.columns(schema, table)
    if not cols:
        raise UserError(
            f"feature table {config.FEATURES_TABLE} does not exist on {db.engine}: "
            "run `predelq dbt build` (or `make demo`) first"
        )
    return cols


def require_columns(available, needed, what: str) -> None:
    """Fail naming every column `what` needs that the feature table lacks."""
    missing = [c for c in needed if c not in set(available)]
    if missing:
        raise UserError(
            f"{config.FEATURES_TABLE} lacks column(s) {', '.join(missing)} needed by {what}; "
            "rebuild the feature model or retrain (`predelq train`)"
        )


def latest_as_of(db: Db):
    table_columns(db)
    value = db.query(f"select max(as_of_date) from {config.FEATURES_TABLE}")[0][0]
    if value is None:
        raise UserError(f"{config.FEATURES_TABLE} is empty: nothing to score")
    return pd.Timestamp(value).date()


def load(db: Db, as_of=None, columns: list[str] | None = None, since=None) -> pd.DataFrame:
    """All rows, those of one as-of day, or those from `since` on; `columns` limits (and checks)
    the features read."""
    available = table_columns(db)
    if columns is not None:
        require_columns(available, columns, "the model")
        wanted = [c for c in available if not c.startswith(config.FEATURE_PREFIXES) or c in columns]
    else:
        wanted = available
    sql = f"select {', '.join(wanted)} from {config.FEATURES_TABLE}"
    params = None
    if as_of is not None:
        sql += " where as_of_date = %s"
        params = [pd.Timestamp(as_of).date()]
    elif since is not None:
        sql += " where as_of_date >= %s"
        params = [pd.Timestamp(since).date()]
    # A fixed row order: the fit (early-stopping and calibration splits) must not depend on
    # the order the engine happens to return rows in (DuckDB does not preserve it here).
    sql += " order by account_id, as_of_date"
    return normalise(db.query_df(sql, params))


def normalise(df: pd.DataFrame) -> pd.DataFrame:
    """Same dtypes whatever the engine (PostgreSQL numerics arrive as Decimal)."""
    columns = {}
    for col in df.columns:
        series = df[col]
        if col == "account_id":
            series = series.astype(str)
        elif col == "as_of_date":
            series = pd.to_datetime(series)
        elif col.startswith(config.FEATURE_PREFIXES) or col.startswith("label_"):
            series = _to_float(series)
        elif col == config.DELINQUENT_FLAG:
            series = series.fillna(False).astype(bool)
        columns[col] = series
    out = pd.DataFrame(columns, index=df.index)
    return out.sort_values(["as_of_date", "account_id"], kind="mergesort").reset_index(drop=True)


def _to_float(series: pd.Series) -> pd.Series:
    if series.dtype == object:
        series = series.map(lambda v: np.nan if v is None else float(v))
    return pd.to_numeric(series, errors="raise").astype("float64")


def matrix(df: pd.DataFrame, columns: list[str]) -> np.ndarray:
    return df[columns].to_numpy(dtype="float64", na_value=np.nan)
