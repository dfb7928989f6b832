"""Reading the simulator's truth back: the oracle score and its AUC.

The oracle knows each account's latent risk on each day (truth.account_daily_risk)
and uses it as its score. `oracle_auc(con, horizon_days)` measures how well that
score ranks accounts that reach 30+ DPD soon, in the same frame the warehouse's
models are judged in:

- as-of days: every local day d of the telemetry window with d + horizon <= end
  date (the label is fully observed);
- eligible account-days: disbursed on or before d, not past maturity, not in an
  open 30+ DPD episode on d (a dpd_30 triggered on or before d and not resolved
  by d), never written off before d;
- label: a `dpd_30` event of the account triggered in (d, d + horizon];
- AUC: Mann-Whitney (ties count one half), pooled over all account-days.

The labels come from raw.delinquency_events and the loan book, exactly what a
model would learn from; only the score comes from truth. Because healthy
accounts have bad weeks, stressed accounts recover and sudden defaults give no
warning, even this oracle is clearly imperfect (see docs/decisions.md).
"""

from __future__ import annotations

import datetime as dt

import numpy as np


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


def oracle_frame(con, horizon_days: int):
    """(scores, labels) of the oracle's eligible account-days for a horizon."""
    (end, days), *_ = _rows(con, "SELECT end_date, days FROM truth.runs")
    end = _as_date(end)
    start = end - dt.timedelta(days=int(days) - 1)
    last_asof = end - dt.timedelta(days=horizon_days)
    if last_asof < start:
        return np.zeros(0), np.zeros(0, dtype=bool)
    accounts = _rows(
        con, "SELECT CAST(id AS VARCHAR(36)), disbursement_date, maturity_date FROM raw.accounts"
    )
    idx = {a: i for i, (a, _, _) in enumerate(accounts)}
    n = len(accounts)
    n_days = (last_asof - start).days + 1
    day0 = start.toordinal()
    disb = np.array([_as_date(d).toordinal() - day0 for _, d, _ in accounts])
    mat = np.array([_as_date(m).toordinal() - day0 for _, _, m in accounts])
    grid = np.arange(n_days)[None, :]
    eligible = (grid >= disb[:, None]) & (grid <= mat[:, None])
    label = np.zeros((n, n_days), dtype=bool)
    events = _rows(
        con,
        "SELECT CAST(account_id AS VARCHAR(36)), event_type, triggered_at, resolved_at "
        "FROM raw.delinquency_events WHERE event_type IN ('dpd_30', 'default')",
    )
    tz = _timezone(con)
    for acc, typ, trig, res in events:
        i = idx[acc]
        t = trig.astimezone(tz).date().toordinal() - day0
        if typ == "default":
            eligible[i, max(0, t) :] = False
            continue
        r = res.astimezone(tz).date().toordinal() - day0 if res is not None else 10**6
        # open 30+ episode on [t, r): not eligible; the event labels as-of days in [t - h, t)
        eligible[i, max(0, t) : max(0, min(n_days, r))] = False
        label[i, max(0, t - horizon_days) : max(0, min(n_days, t))] = True
    risk = np.full((n, n_days), np.nan)
    for acc, day, r in _rows(
        con,
        "SELECT CAST(account_id AS VARCHAR(36)), day, latent_risk FROM truth.account_daily_risk "
        f"WHERE day >= DATE '{start.isoformat()}' AND day <= DATE '{last_asof.isoformat()}'",
    ):
        risk[idx[acc], _as_date(day).toordinal() - day0] = r
    eligible &= ~np.isnan(risk)
    return risk[eligible], label[eligible]


def _timezone(con):
    from zoneinfo import ZoneInfo

    rows = _rows(con, "SELECT parameters FROM truth.runs")
    import json

    params = rows[0][0]
    params = json.loads(params) if isinstance(params, str) else params
    return ZoneInfo(params.get("config", {}).get("timezone", "Asia/Kolkata"))


def oracle_auc(con, horizon_days: int) -> float:
    """AUC of the latent-risk oracle for reaching 30+ DPD within `horizon_days` (see module doc)."""
    scores, labels = oracle_frame(con, horizon_days)
    return auc(scores, labels)
