"""The backtest: how early, and how well, the warehouse warns on portfolios it never saw.

Protocol (docs/backtest.md has the definitions in words):

1. Models are fitted on the training portfolio only. A validation split inside it
   (accounts in folds) picks the algorithm; its out-of-fold scores are the training
   portfolio's score history. The chosen algorithm is then refitted on the whole
   training portfolio and frozen (`Frozen`: a digest of the pickled model is kept).
2. Every held-out portfolio is scored with the frozen models, never fitted on;
   `Frozen.predict` checks the digest is unchanged after scoring.
3. Everything is judged on the weekly review days (the days the Monte-Carlo oracle
   samples), on **current** account-days (DPD 0 on the eve, never 30+ DPD before);
   "all active" and "1-29 DPD" are reported apart.
4. The alert stream: on each review day the top k% of current accounts by a score
   are alerted. Precision = share of alerts followed by a first 30+ DPD within 90
   days; recall at lead L = share of accounts reaching 30+ DPD for the first time on
   day T that were on the alert list of the last review day <= T - L (current then);
   false alarms per 100 healthy account-months. Rule events alert at their own
   volume (an actionable early-warning event open on the eve of the review day).
5. Uncertainty: 90% intervals by resampling accounts (within each portfolio) and
   the spread (min-max) over the held-out portfolios.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ml import config

HORIZONS = (30, 90, 180)
LEADS = (30, 90, 180)
BUDGETS = (0.01, 0.02, 0.05, 0.10, 0.20)
DEFAULT_BUDGET = 0.05
PRECISION_HORIZON = 90
WATCH_DAYS = 90  # "alerted at least once in the 90 days up to L days before"
DAYS_PER_MONTH = 30.4375
# indicators that read the loan book, directly or through the composite: not early warnings
LOAN_BOOK_INDICATORS = {"payment_dpd", "payment_bounces", "payment_misses", "composite_account_risk"}
COMPOSITE = "ind_composite_account_risk"
BOOTSTRAP = 300
SEED = 20261206


# --------------------------------------------------------------------------------------
# models: fitted on the training portfolio only (ml.train), frozen before any held-out one


@dataclass
class Frozen:
    """A model fixed on the training portfolio; `predict` never fits and checks it did not change."""

    name: str
    model: object  # ml.model.PreDelinquencyModel or RollForwardModel
    info: dict = field(default_factory=dict)
    digest: str = ""

    def seal(self) -> Frozen:
        self.digest = hashlib.sha256(pickle.dumps(self.model)).hexdigest()
        return self

    @property
    def features(self) -> list[str]:
        return self.model.features

    @property
    def algorithm(self) -> str:
        return getattr(self.model, "algorithm", getattr(self.model, "kind", ""))

    def predict(self, days: pd.DataFrame):
        out = self.model.predict(days)
        if hashlib.sha256(pickle.dumps(self.model)).hexdigest() != self.digest:
            raise RuntimeError(f"{self.name}: a frozen model changed while scoring (refitted?)")
        return out


def fit_and_freeze(days: pd.DataFrame, features: list[str], name: str, log=print):
    """ml.train's validation choice and fit on the training portfolio, frozen.

    Returns (Frozen, calibrated out-of-fold predictions per horizon, the Selection)."""
    from ml import train

    log(f"  {name}:")
    sel = train.select(days, features, log=log)
    model = train.fit_pre_delinquency(days, features, sel)
    info = {
        "algorithm": sel.algorithm,
        "calibration": sel.calibration,
        "validation_auc": sel.validation_auc,
        "validation_ece": sel.validation_ece,
        "features": len(features),
        "training_rows": int(len(train.pre_delinquency_rows(days))),
    }
    return Frozen(name, model, info).seal(), sel.oof, sel


# --------------------------------------------------------------------------------------
# metrics on weighted rows (weights = how often the row's account was drawn)


def weighted_auc(order, groups, y, w) -> float:
    """AUC with row weights, given the rows sorted by score (`order`) and tie groups."""
    yo, wo = y[order], w[order]
    n_g = groups[-1] + 1
    pos = np.bincount(groups, wo * yo, n_g)
    neg = np.bincount(groups, wo * (1 - yo), n_g)
    wp, wn = pos.sum(), neg.sum()
    if wp <= 0 or wn <= 0:
        return float("nan")
    below = np.cumsum(neg) - neg
    return float((pos * (below + 0.5 * neg)).sum() / (wp * wn))


def sort_groups(score: np.ndarray):
    order = np.argsort(score, kind="mergesort")
    s = score[order]
    groups = np.concatenate([[0], np.cumsum(np.diff(s) != 0)])
    return order, groups


def alert_flags(score: np.ndarray, day: np.ndarray, budget: float, rng: np.random.Generator) -> np.ndarray:
    """Top `budget` share of rows by score within each day (ties broken at random, fixed seed)."""
    jitter = rng.random(len(score))
    frame = pd.DataFrame(
        {"d": day, "s": np.nan_to_num(score, nan=-np.inf), "j": jitter, "i": np.arange(len(score))}
    )
    frame = frame.sort_values(["d", "s", "j"], ascending=[True, False, True])
    rank = frame.groupby("d").cumcount().to_numpy()
    n = frame.groupby("d")["s"].transform("size").to_numpy()
    flagged = rank < np.ceil(n * budget)
    out = np.zeros(len(score), dtype=bool)
    out[frame["i"].to_numpy()] = flagged
    return out


@dataclass
class Sample:
    """The review rows of one or more portfolios (all populations), with `unit` =
    portfolio/account; `replicates` are account-bootstrap draws shared by every metric."""

    frame: pd.DataFrame
    units: np.ndarray
    reps: int = BOOTSTRAP
    _replicates: np.ndarray | None = None

    @classmethod
    def of(cls, frames: list[pd.DataFrame], reps: int = BOOTSTRAP) -> Sample:
        frame = pd.concat(frames, ignore_index=True)
        frame["unit"] = frame["portfolio"] + "/" + frame["account_id"]
        units = np.sort(frame["unit"].unique())
        frame["unit_idx"] = np.searchsorted(units, frame["unit"].to_numpy())
        return cls(frame, units, reps)

    def unit_counts(self) -> np.ndarray:
        """(reps, units): how often each account was drawn, within its portfolio, per replicate."""
        if self._replicates is None:
            rng = np.random.default_rng(SEED)
            port = np.array([u.split("/", 1)[0] for u in self.units])
            counts = np.zeros((self.reps, len(self.units)), dtype=np.float32)
            for p in np.unique(port):
                idx = np.flatnonzero(port == p)
                for r in range(self.reps):
                    counts[r] += np.bincount(rng.choice(idx, size=len(idx)), minlength=len(self.units))
            self._replicates = counts
        return self._replicates

    def row_weights(self):
        """Row weights of the point estimate, then of each replicate."""
        yield np.ones(len(self.frame))
        idx = self.frame["unit_idx"].to_numpy()
        for counts in self.unit_counts():
            yield counts[idx]


def interval(values) -> tuple[float, float]:
    v = np.asarray([x for x in values if x is not None and not np.isnan(x)])
    if len(v) == 0:
        return (float("nan"), float("nan"))
    return float(np.percentile(v, 5)), float(np.percentile(v, 95))


@dataclass
class Figure:
    value: float
    low: float = float("nan")
    high: float = float("nan")
    spread: tuple[float, float] | None = None  # min-max over held-out portfolios

    def fmt(self, digits: int = 3, pct: bool = False) -> str:
        def f(x):
            if x is None or np.isnan(x):
                return "n/a"
            return f"{100 * x:.{max(digits - 2, 0)}f}%" if pct else f"{x:.{digits}f}"

        out = f(self.value)
        if not np.isnan(self.low):
            out += f" ({f(self.low)}–{f(self.high)})"
        if self.spread is not None:
            out += f" [{f(self.spread[0])}–{f(self.spread[1])}]"
        return out


def with_uncertainty(sample: Sample, metric, per_portfolio: bool = True) -> Figure:
    """A metric (a function of row weights) with its bootstrap interval and held-out spread."""
    weights = sample.row_weights()
    value = metric(next(weights))
    lo, hi = interval([metric(w) for w in weights])
    spread = None
    if per_portfolio:
        ports = sample.frame["portfolio"].to_numpy()
        names = np.unique(ports)
        if len(names) > 1:
            vals = [metric((ports == p).astype(float)) for p in names]
            vals = [v for v in vals if not np.isnan(v)]
            spread = (min(vals), max(vals)) if vals else None
    return Figure(value, lo, hi, spread)


def auc_figure(sample: Sample, score: np.ndarray, y: np.ndarray, mask: np.ndarray) -> Figure:
    """AUC of `score` for labels `y` on the rows in `mask`, with interval and spread."""
    rows = np.flatnonzero(mask & ~np.isnan(y) & ~np.isnan(score))
    if len(rows) == 0:
        return Figure(float("nan"))
    order, groups = sort_groups(score[rows])
    yy = y[rows].astype(float)

    def metric(w):
        return weighted_auc(order, groups, yy, w[rows])

    return with_uncertainty(sample, metric)


# --------------------------------------------------------------------------------------
# the alert stream


def stream_metrics(frame: pd.DataFrame, flags: np.ndarray):
    """Metric functions of row weights for one alert stream over the review rows of `frame`."""
    cur = frame["is_current"].to_numpy()
    y90 = frame[config.label_column(PRECISION_HORIZON)].to_numpy()
    known = cur & ~np.isnan(y90)
    alerted = flags & known
    hit = alerted & (y90 == 1)
    healthy = known & (y90 == 0)
    false = flags & healthy

    def precision(w):
        d = (w * alerted).sum()
        return (w * hit).sum() / d if d else float("nan")

    def false_alarms(w):
        exposure = (w * healthy).sum() * 7 / DAYS_PER_MONTH  # each review day stands for a week
        return 100 * (w * false).sum() / exposure if exposure else float("nan")

    def volume(w):
        d = (w * cur).sum()
        return (w * (flags & cur)).sum() / d if d else float("nan")

    return {"precision": precision, "false_alarms": false_alarms, "volume": volume}


def lead_table(frame: pd.DataFrame, flags: np.ndarray) -> pd.DataFrame:
    """Per account reaching 30+ DPD for the first time inside the review period: whether it was
    on the list L days ahead (the last review day <= T - L, current then), whether alerted at
    least once in the WATCH_DAYS up to then, and the lead of its first alert while current."""
    f = frame.assign(alert=flags)
    first_review = f["as_of_date"].min()
    rows = []
    for (port, acc), g in f.groupby(["portfolio", "account_id"], sort=False):
        t = g["first30"].iloc[0]
        if pd.isna(t) or t <= first_review or t > g["as_of_date"].max() + pd.Timedelta(days=7):
            continue
        if (g["pay_prior_dpd30_episodes"].fillna(0) > 0).any() and g["is_current"].sum() == 0:
            continue
        cur = g[g["is_current"] & (g["as_of_date"] <= t)]
        row = {"portfolio": port, "account_id": acc, "first30": t, "unit": g["unit"].iloc[0]}
        alerts = cur.loc[cur["alert"], "as_of_date"]
        row["first_alert_lead"] = (t - alerts.min()).days if len(alerts) else np.nan
        for lead in LEADS:
            cutoff = t - pd.Timedelta(days=lead)
            if cutoff < first_review:
                row[f"eligible_{lead}"] = False
                continue
            at = cur[cur["as_of_date"] <= cutoff]
            last = at[at["as_of_date"] > cutoff - pd.Timedelta(days=7)]
            row[f"eligible_{lead}"] = len(last) > 0
            row[f"on_list_{lead}"] = bool(last["alert"].any()) if len(last) else False
            window = at[at["as_of_date"] > cutoff - pd.Timedelta(days=WATCH_DAYS)]
            row[f"watched_{lead}"] = bool(window["alert"].any())
        rows.append(row)
    return pd.DataFrame(rows)


@dataclass
class StreamResult:
    name: str
    budget: float | None  # None: the score's own volume (rule events)
    volume: Figure
    precision: Figure
    false_alarms: Figure
    recall: dict[int, Figure]
    watched: dict[int, Figure]
    positives: dict[int, int]
    leads: pd.DataFrame


def judge_stream(sample: Sample, name: str, flags: np.ndarray, budget: float | None) -> StreamResult:
    frame = sample.frame
    m = stream_metrics(frame, flags)
    leads = lead_table(frame, flags)
    first_row = frame.reset_index().groupby("unit_idx")["index"].first()  # a unit's rows share a weight

    def recall_fn(lead, kind):
        if leads.empty or f"eligible_{lead}" not in leads:
            return (lambda w: float("nan")), 0
        ok = leads[leads[f"eligible_{lead}"].fillna(False).astype(bool)]
        rows = first_row.reindex(np.searchsorted(sample.units, ok["unit"].to_numpy())).to_numpy()
        hit = ok[f"{kind}_{lead}"].fillna(False).to_numpy().astype(float)

        def f(w):
            ww = w[rows]
            return (ww * hit).sum() / ww.sum() if ww.sum() else float("nan")

        return f, len(ok)

    recall, watched, positives = {}, {}, {}
    for lead in LEADS:
        f, n = recall_fn(lead, "on_list")
        recall[lead] = with_uncertainty(sample, f)
        g, _ = recall_fn(lead, "watched")
        watched[lead] = with_uncertainty(sample, g)
        positives[lead] = n
    return StreamResult(
        name=name,
        budget=budget,
        volume=Figure(m["volume"](np.ones(len(frame)))),
        precision=with_uncertainty(sample, m["precision"]),
        false_alarms=with_uncertainty(sample, m["false_alarms"]),
        recall=recall,
        watched=watched,
        positives=positives,
        leads=leads,
    )


def event_flags(frame: pd.DataFrame, events: pd.DataFrame, definitions=None, early_only=True) -> np.ndarray:
    """Rows whose account had a matching event open on the eve of the review day."""
    ev = events
    if definitions is not None:
        ev = ev[ev["event_definition_id"].isin(definitions)]
    else:
        ev = ev[ev["is_actionable"].astype(bool)]
        if early_only:
            ev = ev[~ev["indicator_id"].isin(LOAN_BOOK_INDICATORS)]
    if ev.empty:
        return np.zeros(len(frame), dtype=bool)
    key = frame[["portfolio", "account_id", "as_of_date"]].reset_index()
    m = key.merge(ev, on=["portfolio", "account_id"], how="inner")
    eve = m["as_of_date"] - pd.Timedelta(days=1)
    open_ = (m["opened_on"] <= eve) & (m["closed_on"].isna() | (m["closed_on"] > eve))
    out = np.zeros(len(frame), dtype=bool)
    out[m.loc[open_, "index"].to_numpy()] = True
    return out


# --------------------------------------------------------------------------------------
# calibration


def reliability(pred: np.ndarray, y: np.ndarray, bins: int = 10) -> tuple[pd.DataFrame, float]:
    """Deciles of the prediction: mean predicted vs observed, and the expected calibration error."""
    ok = ~np.isnan(pred) & ~np.isnan(y)
    pred, y = pred[ok], y[ok]
    if len(pred) == 0:
        return pd.DataFrame(), float("nan")
    order = np.argsort(pred, kind="mergesort")
    parts = np.array_split(order, bins)
    rows = [
        {"decile": i + 1, "rows": len(p), "predicted": float(pred[p].mean()), "observed": float(y[p].mean())}
        for i, p in enumerate(parts)
        if len(p)
    ]
    table = pd.DataFrame(rows)
    ece = float((table["rows"] * (table["predicted"] - table["observed"]).abs()).sum() / table["rows"].sum())
    return table, ece
