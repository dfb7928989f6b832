"""The delinquency models themselves: one consistent view of time, calibrated, explainable.

`PreDelinquencyModel` — for current accounts — gives P(first 30+ DPD within 30, 90
and 180 days). Its core is either

* a **discrete-time hazard** (`hazard_logreg`, `hazard_hgb`): each training
  account-day is expanded into 30-day periods (0-29, 30-59, ... 150-179 days
  ahead) until its first 30+ DPD or the end of the data; a classifier learns
  h_k(x) = P(30+ DPD in period k | none before, x) (logistic regression with one
  intercept per period, or gradient boosting with the period as a feature), and
  P(within 30 k days) = 1 - prod_{j <= k} (1 - h_j(x)); or
* **direct** models, one per horizon (`direct_logreg`, `direct_hgb`).

Each horizon's output is then calibrated (Platt or isotonic, fitted out of fold)
and made monotone across horizons (P30 <= P90 <= P180, by a running maximum), so
the three numbers can never contradict each other.

`RollForwardModel` — for accounts already 1-29 DPD — gives P(this spell of
arrears reaches 30 DPD before it cures).

Reasons: for the logistic hazard model, exact contributions to the log-odds,
beta_j (z_j - typical_j) on the model's own transformed scale (each feature's
rank mapped to a normal score, then standardised); for the others, the drop in
probability when the feature is set to the portfolio's typical value
(ml.reasons). The typical value is the training rows' median.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from ml import config

HORIZONS = (30, 90, 180)
PERIOD_DAYS = 30
N_PERIODS = max(HORIZONS) // PERIOD_DAYS
ALGORITHMS = ("hazard_logreg", "hazard_hgb", "direct_logreg", "direct_hgb")
CALIBRATIONS = ("platt", "isotonic")
RANDOM_STATE = 0


class EmptyColumnsAsZero(TransformerMixin, BaseEstimator):
    """Sets columns that were entirely missing at fit time to 0 (HistGradientBoosting
    cannot bin a column with no value; a long-window feature is empty on short histories)."""

    def fit(self, X, y=None):
        self.empty_ = np.isnan(np.asarray(X, dtype=float)).all(axis=0)
        return self

    def transform(self, X):
        X = np.array(X, dtype=float, copy=True)
        X[:, self.empty_] = 0.0
        return X


def make_classifier(kind: str):
    """The base classifier of a variant (logistic regression or gradient boosting)."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if kind == "logreg":
        from sklearn.preprocessing import QuantileTransformer

        # features are heavy-tailed (z-scores, ratios): ranks mapped to a normal scale keep a
        # few extreme days from steering the slopes; strong regularisation, few positive accounts
        return make_pipeline(
            SimpleImputer(strategy="median", keep_empty_features=True),
            QuantileTransformer(n_quantiles=200, output_distribution="normal", random_state=RANDOM_STATE),
            StandardScaler(),
            LogisticRegression(C=0.01, max_iter=3000),
        )
    if kind == "hgb":
        return make_pipeline(
            EmptyColumnsAsZero(),
            HistGradientBoostingClassifier(
                # an account's days are near-copies: leaves of 2,000 rows span many accounts,
                # so the trees cannot memorise the few accounts that default
                learning_rate=0.05,
                max_iter=150,
                max_leaf_nodes=8,
                min_samples_leaf=2000,
                l2_regularization=5.0,
                early_stopping=False,
                random_state=RANDOM_STATE,
            ),
        )
    raise ValueError(f"unknown classifier {kind!r}")


def person_periods(days_to_event: np.ndarray, days_observed: np.ndarray):
    """Expand rows into (row, period) pairs with the period's outcome; censored periods dropped.

    Period k covers days [30 k, 30 k + 29] after the as-of day. A row contributes
    period k if no event came before it and either the event falls in it (y = 1)
    or the data covers all of it (y = 0).
    """
    rows, periods, ys = [], [], []
    t = np.where(np.isnan(days_to_event), np.inf, days_to_event)
    for k in range(N_PERIODS):
        lo, hi = k * PERIOD_DAYS, (k + 1) * PERIOD_DAYS
        at_risk = t >= lo
        event = at_risk & (t < hi)
        seen = at_risk & ~event & (days_observed >= hi)
        keep = np.flatnonzero(event | seen)
        rows.append(keep)
        periods.append(np.full(len(keep), k))
        ys.append(event[keep].astype(int))
    rows, periods, ys = np.concatenate(rows), np.concatenate(periods), np.concatenate(ys)
    return rows, periods, ys


def _with_period(X: np.ndarray, periods: np.ndarray) -> np.ndarray:
    onehot = np.zeros((len(periods), N_PERIODS))
    onehot[np.arange(len(periods)), periods] = 1.0
    return np.hstack([X, onehot])


@dataclass
class Core:
    """The uncalibrated model: hazard or direct, logistic or boosted."""

    algorithm: str
    features: list[str]
    estimators: dict = field(default_factory=dict)  # "hazard" or horizon -> fitted classifier

    @property
    def kind(self) -> str:
        return self.algorithm.split("_", 1)[1]

    @property
    def is_hazard(self) -> bool:
        return self.algorithm.startswith("hazard")

    def fit(self, X: np.ndarray, days_to_event: np.ndarray, days_observed: np.ndarray) -> Core:
        if self.is_hazard:
            rows, periods, y = person_periods(days_to_event, days_observed)
            if y.sum() == 0 or y.sum() == len(y):
                raise ValueError("no events (or only events) among the training periods")
            clf = make_classifier(self.kind)
            clf.fit(_with_period(X[rows], periods), y)
            self.estimators = {"hazard": clf}
            return self
        t = np.where(np.isnan(days_to_event), np.inf, days_to_event)
        for h in HORIZONS:
            known = (t < h) | (days_observed >= h)
            y = (t[known] < h).astype(int)
            clf = make_classifier(self.kind)
            clf.fit(X[known], y)
            self.estimators[h] = clf
        return self

    def hazards(self, X: np.ndarray) -> np.ndarray:
        """(rows, periods) conditional probabilities (hazard variants)."""
        clf = self.estimators["hazard"]
        out = np.empty((len(X), N_PERIODS))
        for k in range(N_PERIODS):
            out[:, k] = clf.predict_proba(_with_period(X, np.full(len(X), k)))[:, 1]
        return out

    def predict(self, X: np.ndarray) -> dict[int, np.ndarray]:
        if len(X) == 0:
            return {h: np.zeros(0) for h in HORIZONS}
        if self.is_hazard:
            survive = np.cumprod(1.0 - self.hazards(X), axis=1)
            return {h: 1.0 - survive[:, h // PERIOD_DAYS - 1] for h in HORIZONS}
        return {h: self.estimators[h].predict_proba(X)[:, 1] for h in HORIZONS}

    def logit_contributions(self, X: np.ndarray, typical: np.ndarray) -> np.ndarray | None:
        """(rows, features) exact contributions to the log-odds, for the logistic hazard model."""
        if self.kind != "logreg" or not self.is_hazard:
            return None
        pipe = self.estimators["hazard"]
        transform, logreg = pipe[:-1], pipe[-1]
        k = len(self.features)
        Xi = transform.transform(_with_period(X, np.zeros(len(X), dtype=int)))[:, :k]
        Ti = transform.transform(_with_period(typical[None, :], np.zeros(1, dtype=int)))[:, :k]
        return (Xi - Ti) * logreg.coef_[0][:k]


class Calibrator:
    """Maps a raw probability to a calibrated one (Platt on the log-odds, or isotonic)."""

    def __init__(self, method: str):
        if method not in CALIBRATIONS:
            raise ValueError(f"unknown calibration {method!r}")
        self.method = method
        self.model = None

    @staticmethod
    def _logit(p):
        p = np.clip(p, 1e-6, 1 - 1e-6)
        return np.log(p / (1 - p))

    def fit(self, p: np.ndarray, y: np.ndarray) -> Calibrator:
        if self.method == "platt":
            from sklearn.linear_model import LogisticRegression

            self.model = LogisticRegression(C=1e6, max_iter=1000).fit(self._logit(p)[:, None], y)
        else:
            from sklearn.isotonic import IsotonicRegression

            self.model = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(p, y)
        return self

    def __call__(self, p: np.ndarray) -> np.ndarray:
        if len(p) == 0:
            return p
        if self.method == "platt":
            return self.model.predict_proba(self._logit(p)[:, None])[:, 1]
        return self.model.predict(p)


def monotone(probs: dict[int, np.ndarray]) -> dict[int, np.ndarray]:
    """P30 <= P90 <= P180 for every row: a running maximum over the horizons."""
    out, running = {}, None
    for h in sorted(probs):
        running = probs[h] if running is None else np.maximum(running, probs[h])
        out[h] = running
    return out


@dataclass
class PreDelinquencyModel:
    """A fitted core, per-horizon calibrators, and the typical account (for reasons and drift)."""

    core: Core
    calibrators: dict[int, Calibrator]
    typical: np.ndarray  # training medians of the features

    @property
    def features(self) -> list[str]:
        return self.core.features

    @property
    def algorithm(self) -> str:
        return self.core.algorithm

    @property
    def calibration(self) -> str:
        return next(iter(self.calibrators.values())).method if self.calibrators else "none"

    def predict_raw(self, X: np.ndarray) -> dict[int, np.ndarray]:
        return self.core.predict(X)

    def predict_matrix(self, X: np.ndarray) -> dict[int, np.ndarray]:
        raw = self.core.predict(X)
        return monotone({h: self.calibrators[h](raw[h]) if h in self.calibrators else raw[h] for h in raw})

    def predict(self, frame: pd.DataFrame) -> dict[int, np.ndarray]:
        from ml.features import matrix

        return self.predict_matrix(matrix(frame, self.features))


@dataclass
class RollForwardModel:
    """P(a spell of 1-29 DPD reaches 30 DPD before it cures), Platt-calibrated out of fold."""

    kind: str
    features: list[str]
    classifier: object
    calibrator: Calibrator
    typical: np.ndarray

    def predict_matrix(self, X: np.ndarray) -> np.ndarray:
        if len(X) == 0:
            return np.zeros(0)
        return self.calibrator(self.classifier.predict_proba(X)[:, 1])

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        from ml.features import matrix

        return self.predict_matrix(matrix(frame, self.features))


def current_mask(frame: pd.DataFrame) -> np.ndarray:
    """DPD 0 on the eve of the as-of day and never 30+ DPD before: the headline population."""
    dpd = frame["pay_days_past_due"].fillna(0).to_numpy()
    prior = frame["pay_prior_dpd30_episodes"].fillna(0).to_numpy()
    return (dpd == 0) & (prior == 0)


def roll_mask(frame: pd.DataFrame) -> np.ndarray:
    dpd = frame["pay_days_past_due"].fillna(0).to_numpy()
    return (dpd > 0) & (dpd < 30)


def scored_mask(frame: pd.DataFrame) -> np.ndarray:
    """Rows the pre-delinquency model scores: DPD 0 on the eve (a cured account included)."""
    return frame["pay_days_past_due"].fillna(0).to_numpy() == 0


def event_times(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    return (
        frame["label_days_to_dpd30"].to_numpy(dtype=float),
        frame["label_days_observed"].to_numpy(dtype=float),
    )


def label(frame: pd.DataFrame, horizon: int) -> np.ndarray:
    return frame[config.label_column(horizon)].to_numpy(dtype=float)
