"""Reading the simulator's truth back: the Monte-Carlo oracle's scores, labels and AUC.

`truth.oracle` holds, for sampled account-days, the oracle's estimate of
P(a `dpd_30` milestone in [as_of, as_of + h - 1]) given the simulator's full state on
the eve of the as-of day (predelq/simulate/oracle.py). `oracle_frame` joins it to
the label the warehouse would see -- a `dpd_30` event in raw.delinquency_events
triggered in that window (local dates) -- for the as-of days whose window ends by
the end date, in one of two populations:

- `current`: DPD 0 on the eve of the as-of day and never 30+ DPD before (the
  early-warning headline population);
- `active`: every sampled account-day (the loan open on the eve: not closed, not
  written off), whatever its arrears.

AUC: Mann-Whitney over the pooled account-days (ties count one half).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

POPULATIONS = ("current", "active")


def _rows(con, sql: str) -> list[tuple]:
    cur = con.cursor()
    cur.execute(sql)
    return cur.fetchall()


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """ROC AUC by average ranks (ties count one half); nan without both classes."""
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels, dtype=bool)
    n_pos, n_neg = int(labels.sum()), int((~labels).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    order = np.argsort(scores, kind="mergesort")
    s = scores[order]
    ranks = np.empty(len(s))
    # average rank of each run of equal scores
    bounds = np.flatnonzero(np.diff(s)) + 1
    starts = np.concatenate([[0], bounds])
    stops = np.concatenate([bounds, [len(s)]])
    avg = (starts + stops + 1) / 2.0  # 1-based average rank
    ranks[order] = np.repeat(avg, stops - starts)
    return float((ranks[labels].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _as_date(v) -> dt.date:
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v))


def _timezone(con):
    import json
    from zoneinfo import ZoneInfo

    params = _rows(con, "SELECT parameters FROM truth.runs")[0][0]
    params = json.loads(params) if isinstance(params, str) else params
    return ZoneInfo(params.get("config", {}).get("timezone", "Asia/Kolkata"))


def dpd30_days(con) -> dict[str, list[int]]:
    """Local day ordinals of every account's `dpd_30` events, from the loan book."""
    tz = _timezone(con)
    out: dict[str, list[int]] = {}
    for acc, trig in _rows(
        con,
        "SELECT CAST(account_id AS VARCHAR(36)), triggered_at FROM raw.delinquency_events "
        "WHERE event_type = 'dpd_30'",
    ):
        out.setdefault(acc, []).append(trig.astimezone(tz).date().toordinal())
    return out


def oracle_frame(con, horizon_days: int, population: str = "current"):
    """(scores, labels, account ids, as-of ordinals) of the oracle's labelled account-days."""
    if population not in POPULATIONS:
        raise ValueError(f"population must be one of {POPULATIONS}, got {population!r}")
    (end,) = _rows(con, "SELECT end_date FROM truth.runs")[0]
    end = _as_date(end).toordinal()
    where = f"horizon_days = {int(horizon_days)}"
    if population == "current":
        where += " AND dpd_on_eve = 0 AND NOT ever_dpd30"
    rows = _rows(
        con,
        "SELECT CAST(account_id AS VARCHAR(36)), as_of_date, estimate FROM truth.oracle "
        f"WHERE {where} ORDER BY 1, 2",
    )
    events = dpd30_days(con)
    scores, labels, accounts, days = [], [], [], []
    for acc, as_of, est in rows:
        d0 = _as_date(as_of).toordinal()
        if d0 + horizon_days - 1 > end:
            continue  # the window runs past the data: label unknowable
        scores.append(float(est))
        labels.append(any(d0 <= d <= d0 + horizon_days - 1 for d in events.get(acc, ())))
        accounts.append(acc)
        days.append(d0)
    return np.array(scores), np.array(labels, dtype=bool), np.array(accounts), np.array(days)


def oracle_horizons(con) -> list[int]:
    return [int(h) for (h,) in _rows(con, "SELECT DISTINCT horizon_days FROM truth.oracle ORDER BY 1")]


def oracle_auc(con, horizon_days: int, population: str = "current") -> float:
    """AUC of the Monte-Carlo oracle for a first 30+ DPD within `horizon_days` (see module doc)."""
    scores, labels, _, _ = oracle_frame(con, horizon_days, population)
    return auc(scores, labels)
