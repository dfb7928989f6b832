"""What the backtest reads from one built portfolio, as pandas frames.

- `days`: one row per open account and as-of day of the feature table
  (ml.ml_features_daily: features of the day before, labels), plus
  `is_current` (DPD 0 on the eve of the as-of day and never 30+ DPD before),
  `is_roll` (1-29 DPD on the eve), `is_review` (a weekly review day: the days the
  oracle samples), the oracle's estimates `oracle_<h>d` on review days and the
  account's first 30+ DPD day;
- `events`: the rule events on accounts (events.events), with their indicator;
- `first30`: per account, the local day of its first `dpd_30` milestone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ml import config


@dataclass
class PortfolioFrame:
    name: str
    role: str
    seed: int
    days: pd.DataFrame
    events: pd.DataFrame
    first30: pd.Series  # account_id -> Timestamp of the first dpd_30
    start: pd.Timestamp  # first telemetry day
    end: pd.Timestamp  # last day of data
    review_days: np.ndarray  # datetime64 as-of days of the weekly review


def _local_day(series: pd.Series, tz: str) -> pd.Series:
    s = pd.to_datetime(series, utc=True)
    return s.dt.tz_convert(tz).dt.tz_localize(None).dt.normalize()


def load(path: Path, name: str = "", role: str = "", seed: int = 0) -> PortfolioFrame:
    import duckdb

    from ml.db import Db
    from ml.features import load as load_features

    con = duckdb.connect(str(path))  # dbt may still hold one in-process: same config
    try:
        con.execute("SET TimeZone = 'UTC'")
        db = Db(con, "duckdb")
        days = load_features(db)
        run = con.execute("select end_date, days, parameters from truth.runs").fetchone()
        end = pd.Timestamp(run[0])
        start = end - pd.Timedelta(days=int(run[1]) - 1)
        import json

        params = json.loads(run[2]) if isinstance(run[2], str) else run[2]
        tz = params.get("config", {}).get("timezone", "Asia/Kolkata")
        oracle = con.execute(
            "select cast(account_id as varchar) as account_id, as_of_date, horizon_days, estimate "
            "from truth.oracle"
        ).df()
        dq = con.execute(
            "select cast(account_id as varchar) as account_id, triggered_at from raw.delinquency_events "
            "where event_type = 'dpd_30'"
        ).df()
        events = con.execute(
            "select cast(account_id as varchar) as account_id, event_definition_id, indicator_id, "
            "opened_on, closed_on, is_actionable from events.events where account_id is not null"
        ).df()
    finally:
        con.close()
    dq["day"] = _local_day(dq["triggered_at"], tz)
    first30 = dq.groupby("account_id")["day"].min()
    review = np.sort(pd.to_datetime(oracle["as_of_date"]).unique())
    if len(oracle):
        wide = oracle.pivot_table(
            index=["account_id", "as_of_date"], columns="horizon_days", values="estimate"
        ).reset_index()
        wide.columns = [c if isinstance(c, str) else f"oracle_{c}d" for c in wide.columns]
        wide["as_of_date"] = pd.to_datetime(wide["as_of_date"])
        days = days.merge(wide, on=["account_id", "as_of_date"], how="left")
    dpd = days["pay_days_past_due"].fillna(0)
    prior = days["pay_prior_dpd30_episodes"].fillna(0)
    days["is_current"] = (dpd == 0) & (prior == 0)
    days["is_roll"] = (dpd > 0) & (dpd < 30)
    days["is_review"] = days["as_of_date"].isin(review)
    days["first30"] = days["account_id"].map(first30)
    events["opened_on"] = pd.to_datetime(events["opened_on"])
    events["closed_on"] = pd.to_datetime(events["closed_on"])
    return PortfolioFrame(name, role, seed, days, events, first30, start, end, review)


def labels(days: pd.DataFrame, horizon: int) -> pd.Series:
    return days[config.label_column(horizon)]


def lead_days(days: pd.DataFrame) -> pd.Series:
    """Days from the as-of day to the account's first 30+ DPD (NaN: none in the data)."""
    return (days["first30"] - days["as_of_date"]).dt.days


def today() -> dt.date:  # pragma: no cover - report stamp
    return dt.datetime.now(dt.UTC).date()
