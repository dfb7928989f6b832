"""`predelq train`: one calibrated model per horizon, registered with its hold-out metrics.

For each horizon (30, 90, 180 days):

1. Rows: account-days whose label is known (not null) and that are not already
   30+ DPD the day before the as-of day.
2. Split by time AND by account: the last `test_fraction` of the labelled as-of
   days of one account in three (held out, chosen by a hash of the id, positives and
   negatives apart) are the test set; training rows are earlier days of the other
   accounts. They are also *purged* (a training row's label window, as-of day +
   horizon, must end before the test period) when that keeps at least half of the
   days before the test period; on short histories (90/180 days on 240) it would
   leave almost nothing, so the windows are kept and the metrics JSON says by how
   much they overlap (`label_window_overlap_days`). Because the test accounts are
   never trained on, an overlap cannot leak an account's own future (or identity)
   into its test score; what remains shared is the calendar.
3. Two algorithms: logistic regression (median imputation, scaling) and
   HistGradientBoosting, each fitted on 3/4 of the accounts and sigmoid-calibrated
   on the other 1/4 (whole accounts, so an account's days are on one side only).
4. Hold-out metrics (AUC, PR-AUC, Brier, KS, precision/recall/lift in the daily top
   10%) choose the active algorithm (higher AUC). Both are then refitted on all
   labelled rows, saved with joblib and registered; the winner becomes active if
   its hold-out AUC reaches `config.min_active_auc()` (0.6): a model hardly better
   than a coin is registered (for the record) but not switched on, and the
   horizon keeps its previous active model, if any.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from ml import config
from ml.features import feature_columns, matrix

ALGORITHMS = ("logreg", "hgb")
MIN_POSITIVE_ACCOUNTS = 5
# one account in TEST_ACCOUNT_EVERY is held out for testing (never trained on)
TEST_ACCOUNT_EVERY = 3
RANDOM_STATE = 0


class NotEnoughData(Exception):
    """A horizon cannot be trained on this data (too few labelled rows or positives)."""


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


def make_estimator(algorithm: str):
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if algorithm == "logreg":
        return make_pipeline(
            SimpleImputer(strategy="median", keep_empty_features=True),
            StandardScaler(),
            LogisticRegression(C=0.1, max_iter=2000),
        )
    if algorithm == "hgb":
        return make_pipeline(
            EmptyColumnsAsZero(),
            HistGradientBoostingClassifier(
                # an account's days are near-copies of each other: leaves of 200 rows
                # span several accounts, so the trees cannot memorise single accounts
                learning_rate=0.05,
                max_iter=150,
                max_leaf_nodes=8,
                min_samples_leaf=200,
                l2_regularization=5.0,
                early_stopping=False,
                random_state=RANDOM_STATE,
            ),
        )
    raise ValueError(f"unknown algorithm {algorithm!r}: use one of {', '.join(ALGORITHMS)}")


def account_subset(groups, y, every: int) -> np.ndarray:
    """Mask of the rows of every `every`-th account, positives and negatives apart (so both
    classes are there), in a fixed order (md5 of the id) that depends neither on the engine
    nor on row order."""
    import hashlib

    frame = pd.DataFrame({"g": np.asarray(groups).astype(str), "y": np.asarray(y)})
    ever = frame.groupby("g")["y"].max()
    chosen: set[str] = set()
    for _, accounts in ever.groupby(ever):
        ordered = sorted(accounts.index, key=lambda a: hashlib.md5(a.encode()).hexdigest())
        chosen.update(ordered[every - 1 :: every] or ordered[:1])
    return frame["g"].isin(chosen).to_numpy()


def fit_calibrated(algorithm: str, X: np.ndarray, y: np.ndarray, groups: np.ndarray):
    """The algorithm fitted on 3/4 of the accounts, sigmoid-calibrated on the other 1/4.

    Holding out whole accounts keeps an account's neighbouring days (near-copies of
    each other) from sitting on both sides of the calibration.
    """
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.frozen import FrozenEstimator

    cal = account_subset(groups, y, every=4)
    base = make_estimator(algorithm).fit(X[~cal], y[~cal])
    return CalibratedClassifierCV(FrozenEstimator(base), method="sigmoid").fit(X[cal], y[cal])


def labelled(df: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """Rows usable for this horizon: label known, not already delinquent."""
    label = config.label_column(horizon)
    keep = df[label].notna() & ~df[config.DELINQUENT_FLAG].astype(bool)
    out = df.loc[keep].copy()
    out[label] = out[label].astype(int)
    return out


@dataclass
class Split:
    train: pd.DataFrame
    test: pd.DataFrame
    info: dict = field(default_factory=dict)


def time_split(rows: pd.DataFrame, horizon: int, test_fraction: float = 0.3) -> Split:
    """Later as-of days of unseen accounts for testing; earlier days of the other accounts
    for training, purged of label windows that reach the test period when the history allows."""
    label = config.label_column(horizon)
    days = np.sort(rows["as_of_date"].unique())
    if len(days) < 2:
        raise NotEnoughData(f"only {len(days)} labelled as-of day(s)")
    n_test = max(1, round(len(days) * test_fraction))
    cut = pd.Timestamp(days[-n_test])
    first = pd.Timestamp(days[0])
    before_cut = (cut - first).days
    # purge: as_of + horizon - 1 < cut, if that keeps at least half of the days before the cut;
    # else keep them all (the test accounts are never trained on, so nothing of theirs leaks)
    gap = horizon if before_cut - horizon + 1 >= before_cut / 2 else 1
    train_end = cut - pd.Timedelta(days=gap)
    held_out = account_subset(rows["account_id"], rows[label], every=TEST_ACCOUNT_EVERY)
    train = rows[(rows["as_of_date"] <= train_end).to_numpy() & ~held_out]
    test = rows[(rows["as_of_date"] >= cut).to_numpy() & held_out]
    info = {
        "test_start": cut.date().isoformat(),
        "test_end": pd.Timestamp(days[-1]).date().isoformat(),
        "train_start": first.date().isoformat(),
        "train_end": train_end.date().isoformat(),
        "purge_gap_days": int(gap - 1),
        "label_window_overlap_days": int(horizon - gap),
        "train_rows": len(train),
        "test_rows": len(test),
        "train_accounts": int(train["account_id"].nunique()),
        "test_accounts": int(test["account_id"].nunique()),
    }
    if info["label_window_overlap_days"]:
        info["note"] = (
            f"history too short to purge: training label windows reach up to "
            f"{info['label_window_overlap_days']} days into the test period (on other accounts only)"
        )
    return Split(train, test, info)


def check_trainable(rows: pd.DataFrame, label: str, what: str) -> None:
    pos_accounts = rows.loc[rows[label] == 1, "account_id"].nunique()
    if pos_accounts < MIN_POSITIVE_ACCOUNTS:
        raise NotEnoughData(
            f"{what}: {pos_accounts} account(s) reach 30+ DPD in the window, need {MIN_POSITIVE_ACCOUNTS}"
        )
    if rows[label].nunique() < 2:
        raise NotEnoughData(f"{what}: only one class")


def fit_predict(algorithm: str, train: pd.DataFrame, test: pd.DataFrame, features: list[str], label: str):
    model = fit_calibrated(algorithm, matrix(train, features), train[label].to_numpy(), train["account_id"])
    return model, model.predict_proba(matrix(test, features))[:, 1]


@dataclass
class TrainedModel:
    horizon_days: int
    algorithm: str
    name: str
    model: object
    features: list[str]
    holdout: dict
    split: dict
    training_start: dt.date
    training_end: dt.date
    training_rows: int
    reference: dict
    is_winner: bool = False


def train_horizon(
    df: pd.DataFrame,
    horizon: int,
    features: list[str] | None = None,
    algorithms: tuple[str, ...] = ALGORITHMS,
    refit: bool = True,
) -> list[TrainedModel]:
    """Train, evaluate on the later period, refit on all labelled rows. Raises NotEnoughData."""
    from ml.metrics import binary_metrics

    label = config.label_column(horizon)
    features = features or feature_columns(df.columns)
    rows = labelled(df, horizon)
    if rows.empty:
        raise NotEnoughData("no labelled rows (history shorter than the horizon?)")
    split = time_split(rows, horizon)
    check_trainable(split.train, label, "training period")
    check_trainable(split.test, label, "test period")
    out = []
    for algorithm in algorithms:
        _, predicted = fit_predict(algorithm, split.train, split.test, features, label)
        holdout = binary_metrics(split.test[label].to_numpy(), predicted, split.test["as_of_date"].to_numpy())
        final_rows = rows if refit else split.train
        final = fit_calibrated(
            algorithm, matrix(final_rows, features), final_rows[label].to_numpy(), final_rows["account_id"]
        )
        out.append(
            TrainedModel(
                horizon_days=horizon,
                algorithm=algorithm,
                name=f"delinquency_{horizon}d_{algorithm}",
                model=final,
                features=list(features),
                holdout=holdout,
                split=split.info,
                training_start=final_rows["as_of_date"].min().date(),
                training_end=final_rows["as_of_date"].max().date(),
                training_rows=len(final_rows),
                reference=build_reference(final, final_rows, features),
            )
        )
    best = max(out, key=lambda m: (m.holdout["auc"] or 0.0, m.algorithm == "hgb"))
    best.is_winner = (best.holdout["auc"] or 0.0) >= config.min_active_auc()
    return out


def build_reference(model, rows: pd.DataFrame, features: list[str]) -> dict:
    """What scoring compares against: feature medians (reasons) and bins (drift)."""
    import warnings

    from ml.drift import reference_bins

    X = matrix(rows, features)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a column with no value has no median
        medians = np.nanmedian(X, axis=0) if len(X) else np.full(len(features), np.nan)
    return {
        "start": rows["as_of_date"].min().date().isoformat(),
        "end": rows["as_of_date"].max().date().isoformat(),
        "rows": len(rows),
        "medians": dict(zip(features, [float(m) for m in medians], strict=True)),
        "feature_bins": {f: reference_bins(X[:, i]) for i, f in enumerate(features)},
        "score_bins": reference_bins(model.predict_proba(X)[:, 1]),
    }


def train(db, horizons=config.HORIZONS, artifacts_dir=None, log=print) -> list[dict]:
    """Train every horizon from the feature table, save and register. Returns what was registered."""
    from ml import features as feats
    from predelq.errors import UserError

    df = feats.load(db)
    cols = feature_columns(df.columns)
    if not cols:
        raise UserError(
            f"{config.FEATURES_TABLE} has no feature columns (prefixes {config.FEATURE_PREFIXES})"
        )
    trained: list[TrainedModel] = []
    skipped: dict[int, str] = {}
    for horizon in horizons:
        try:
            with config.thread_limits():
                trained += train_horizon(df, horizon, cols)
        except NotEnoughData as exc:
            skipped[horizon] = str(exc)
            log(f"  horizon {horizon}d: not trained: {exc}")
    if not trained:
        raise UserError(
            "no model could be trained: "
            + "; ".join(f"{h}d: {why}" for h, why in skipped.items())
            + ". Simulate a longer history (e.g. --days 240)."
        )
    return save_and_register(db, trained, artifacts_dir)


def save_and_register(db, trained: list[TrainedModel], folder=None) -> list[dict]:
    """Save each model with joblib and register it, all registry rows in one transaction
    (on failure the files just written are removed). Winners become active."""
    import joblib
    import sklearn

    from ml import registry

    folder = folder or config.artifacts_dir()
    folder.mkdir(parents=True, exist_ok=True)
    db.ensure_ml_schema()
    now = dt.datetime.now(dt.UTC)
    written, registered = [], []
    try:
        with db.transaction():
            for m in trained:
                version = registry.next_version(db, m.name)
                path = folder / f"{m.name}_{version}.joblib"
                artifact = {
                    "name": m.name,
                    "version": version,
                    "horizon_days": m.horizon_days,
                    "algorithm": m.algorithm,
                    "model": m.model,
                    "feature_columns": m.features,
                    "reference": m.reference,
                    "holdout": m.holdout,
                    "split": m.split,
                    "trained_at": now.isoformat(),
                    "sklearn_version": sklearn.__version__,
                }
                joblib.dump(artifact, path)
                written.append(path)
                metrics = {
                    **m.holdout,
                    "split": m.split,
                    "algorithm": m.algorithm,
                    "features": len(m.features),
                }
                entry = {
                    "name": m.name,
                    "version": version,
                    "horizon_days": m.horizon_days,
                    "description": _description(m),
                    "storage_path": registry.storage_path(path),
                    "trained_at": now,
                    "training_data_start": m.training_start,
                    "training_data_end": m.training_end,
                    "metrics": metrics,
                }
                registry.register(db, entry, activate=m.is_winner)
                registered.append({**entry, "is_active": m.is_winner, "algorithm": m.algorithm})
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return registered


def _description(m: TrainedModel) -> str:
    algo = "logistic regression" if m.algorithm == "logreg" else "HistGradientBoosting"
    return (
        f"P(first 30+ DPD within {m.horizon_days} days of the as-of day); {algo}, sigmoid-calibrated; "
        f"{len(m.features)} point-in-time features; hold-out {m.split['test_start']}..{m.split['test_end']}"
    )
