"""`predelq train`: choose, fit and calibrate the delinquency models on one portfolio, register them.

1. **Pre-delinquency** (current account-days: DPD 0 on the eve, never 30+ DPD
   before; every 3rd as-of day, neighbouring days being near-copies). Accounts are
   cut into three folds (md5 of the id). Out-of-fold, each algorithm of
   `ml.model.ALGORITHMS` (hazard or direct, logistic or boosted) is judged by its
   AUC at 90 and 180 days on current account-days with a known label: the best
   mean wins (the validation choice). Platt and isotonic calibration are judged the
   same way (calibrators fitted on two folds' out-of-fold predictions, scored on the
   third, by expected calibration error): the lower mean ECE wins. The winner is
   refitted on every training row; its calibrators on all out-of-fold predictions.
2. **Roll-forward** (accounts 1-29 DPD on the eve, label: the spell reaches 30 DPD
   before it cures): logistic regression or boosting, chosen by out-of-fold AUC,
   Platt-calibrated out of fold.
3. Both are saved with joblib and registered in `ml.model_registry`: the
   pre-delinquency model once per horizon (30, 90, 180; one artifact), the
   roll-forward model with horizon_days 0. A model becomes active when its
   validation AUC (90 days; roll-forward: its own) reaches `config.min_active_auc(db)`.

The backtest (predelq/evaluation) runs exactly these functions on its training
portfolio and never on a held-out one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ml import config
from ml import model as mdl

FOLDS = 3
TRAIN_EVERY_NTH_DAY = 3
MIN_POSITIVE_ACCOUNTS = 5
VALIDATION_HORIZONS = (90, 180)
ROLL_FORWARD = "roll_forward_dpd30"
PRE_DELINQUENCY = "pre_delinquency"
ROLL_HORIZON = 0  # registry horizon_days of the roll-forward model: "until this spell of arrears ends"


class NotEnoughData(Exception):
    """A model cannot be trained on this data (too few labelled rows or positives)."""


EmptyColumnsAsZero = mdl.EmptyColumnsAsZero  # pickled models of earlier versions name it here


def folds_of(accounts: pd.Series, folds: int = FOLDS) -> np.ndarray:
    """A fixed fold per account (md5 of its id): the same split on every engine and run."""
    uniq = pd.unique(accounts)
    fold = {a: int(hashlib.md5(str(a).encode()).hexdigest(), 16) % folds for a in uniq}
    return accounts.map(fold).to_numpy()


def every_nth_day(frame: pd.DataFrame, n: int = TRAIN_EVERY_NTH_DAY) -> np.ndarray:
    return ((frame["as_of_date"] - frame["as_of_date"].min()).dt.days % n == 0).to_numpy()


def pre_delinquency_rows(days: pd.DataFrame) -> pd.DataFrame:
    """Training rows: current account-days with some future observed, every Nth day."""
    keep = (
        mdl.current_mask(days) & (days["label_days_observed"].fillna(0).to_numpy() > 0) & every_nth_day(days)
    )
    return days.loc[keep]


def _auc(score, y) -> float:
    from predelq.simulate.truth import auc

    ok = ~np.isnan(y) & ~np.isnan(score)
    return auc(score[ok], y[ok].astype(bool))


def ece(p: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error over equal-count deciles of the prediction."""
    ok = ~np.isnan(p) & ~np.isnan(y)
    p, y = p[ok], y[ok]
    if len(p) == 0:
        return float("nan")
    parts = np.array_split(np.argsort(p, kind="mergesort"), bins)
    return float(sum(len(i) * abs(p[i].mean() - y[i].mean()) for i in parts if len(i)) / len(p))


def _fit_core(algorithm: str, rows: pd.DataFrame, features: list[str]) -> mdl.Core:
    from ml.features import matrix

    t, c = mdl.event_times(rows)
    with config.thread_limits():
        return mdl.Core(algorithm, list(features)).fit(matrix(rows, features), t, c)


def out_of_fold(days: pd.DataFrame, algorithm: str, features: list[str]) -> dict[int, np.ndarray]:
    """Raw (uncalibrated) predictions for every row of `days` from cores fitted on the other folds."""
    from ml.features import matrix

    rows = pre_delinquency_rows(days)
    row_folds = folds_of(rows["account_id"])
    folds = folds_of(days["account_id"])
    X = matrix(days, features)
    out = {h: np.full(len(days), np.nan) for h in mdl.HORIZONS}
    for k in range(FOLDS):
        core = _fit_core(algorithm, rows.loc[row_folds != k], features)
        mine = folds == k
        with config.thread_limits():
            pred = core.predict(X[mine])
        for h in mdl.HORIZONS:
            out[h][mine] = pred[h]
    return out


def choose_calibration(days: pd.DataFrame, raw: dict[int, np.ndarray]) -> tuple[str, dict]:
    """Platt or isotonic, by cross-fitted ECE on current account-days."""
    cur = mdl.current_mask(days)
    folds = folds_of(days["account_id"])
    scores = {}
    for method in mdl.CALIBRATIONS:
        errs = []
        for h in mdl.HORIZONS:
            y = mdl.label(days, h)
            ok = cur & ~np.isnan(y)
            calibrated = np.full(len(days), np.nan)
            for k in range(FOLDS):
                fit_rows = ok & (folds != k)
                if y[fit_rows].sum() == 0:
                    continue
                cal = mdl.Calibrator(method).fit(raw[h][fit_rows], y[fit_rows])
                calibrated[ok & (folds == k)] = cal(raw[h][ok & (folds == k)])
            errs.append(ece(calibrated[ok], y[ok]))
        scores[method] = float(np.nanmean(errs))
    best = min(mdl.CALIBRATIONS, key=lambda m: (scores[m], m != "platt"))
    return best, scores


@dataclass
class Selection:
    algorithm: str
    calibration: str
    validation_auc: dict[str, dict[int, float]]
    validation_ece: dict[str, float]
    oof_raw: dict[int, np.ndarray]
    oof: dict[int, np.ndarray] = field(default_factory=dict)  # calibrated out-of-fold predictions


def select(days: pd.DataFrame, features: list[str], algorithms=mdl.ALGORITHMS, log=print) -> Selection:
    """The validation choice of algorithm and calibration on one (training) portfolio."""
    cur = mdl.current_mask(days)
    aucs, raws = {}, {}
    for algorithm in algorithms:
        try:
            raws[algorithm] = out_of_fold(days, algorithm, features)
        except ValueError as exc:
            log(f"    {algorithm}: not fitted ({exc})")
            continue
        aucs[algorithm] = {
            h: _auc(raws[algorithm][h][cur], mdl.label(days, h)[cur]) for h in VALIDATION_HORIZONS
        }
        shown = ", ".join(f"{h} d {v:.3f}" for h, v in aucs[algorithm].items())
        log(f"    {algorithm}: out-of-fold AUC on current account-days {shown}")
    if not aucs:
        raise NotEnoughData("no algorithm could be fitted")
    best = max(aucs, key=lambda a: (np.nanmean(list(aucs[a].values())), a.startswith("hazard")))
    calibration, eces = choose_calibration(days, raws[best])
    shown = ", ".join(f"{m} {v:.4f}" for m, v in eces.items())
    log(f"    chosen: {best}, {calibration} calibration (ECE {shown})")
    sel = Selection(best, calibration, aucs, eces, raws[best])
    sel.oof = cross_fitted_calibration(days, sel.oof_raw, calibration)
    return sel


def cross_fitted_calibration(days, raw, method) -> dict[int, np.ndarray]:
    """Out-of-fold predictions calibrated by calibrators that never saw their fold, made monotone."""
    cur = mdl.current_mask(days)
    folds = folds_of(days["account_id"])
    out = {}
    for h in mdl.HORIZONS:
        y = mdl.label(days, h)
        ok = cur & ~np.isnan(y)
        cal_h = raw[h].copy()
        for k in range(FOLDS):
            fit_rows = ok & (folds != k)
            if y[fit_rows].sum() == 0:
                continue
            cal_h[folds == k] = mdl.Calibrator(method).fit(raw[h][fit_rows], y[fit_rows])(raw[h][folds == k])
        out[h] = cal_h
    return mdl.monotone(out)


def fit_pre_delinquency(days: pd.DataFrame, features: list[str], sel: Selection) -> mdl.PreDelinquencyModel:
    """The chosen core on every training row; calibrators on all out-of-fold predictions."""
    from ml.features import matrix

    rows = pre_delinquency_rows(days)
    check_trainable(rows)
    core = _fit_core(sel.algorithm, rows, features)
    cur = mdl.current_mask(days)
    calibrators = {}
    for h in mdl.HORIZONS:
        y = mdl.label(days, h)
        ok = cur & ~np.isnan(y) & ~np.isnan(sel.oof_raw[h])
        if y[ok].sum() > 0:
            calibrators[h] = mdl.Calibrator(sel.calibration).fit(sel.oof_raw[h][ok], y[ok])
    typical = _medians(matrix(rows, features))
    return mdl.PreDelinquencyModel(core, calibrators, typical)


def _medians(X: np.ndarray) -> np.ndarray:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a column with no value has no median
        return np.nanmedian(X, axis=0) if len(X) else np.full(X.shape[1], np.nan)


def check_trainable(rows: pd.DataFrame) -> None:
    t = rows["label_days_to_dpd30"]
    accounts = rows.loc[t.notna() & (t < max(mdl.HORIZONS)), "account_id"].nunique()
    if accounts < MIN_POSITIVE_ACCOUNTS:
        raise NotEnoughData(
            f"{accounts} current account(s) reach 30+ DPD within {max(mdl.HORIZONS)} days in the data, "
            f"need {MIN_POSITIVE_ACCOUNTS}"
        )


def fit_roll_forward(days: pd.DataFrame, features: list[str], log=print) -> tuple[mdl.RollForwardModel, dict]:
    """The roll-forward model on the 1-29 DPD rows with a known outcome."""
    from ml.features import matrix

    rows = days.loc[mdl.roll_mask(days) & days["label_roll_dpd30"].notna().to_numpy()]
    y = rows["label_roll_dpd30"].to_numpy().astype(int)
    if rows["account_id"][y == 1].nunique() < MIN_POSITIVE_ACCOUNTS or (y == 0).sum() == 0:
        raise NotEnoughData(f"{rows['account_id'][y == 1].nunique()} account(s) rolled to 30+ DPD")
    X = matrix(rows, features)
    folds = folds_of(rows["account_id"])
    aucs, oofs = {}, {}
    for kind in ("logreg", "hgb"):
        oof = np.full(len(rows), np.nan)
        for k in range(FOLDS):
            if len(np.unique(y[folds != k])) < 2:
                continue
            with config.thread_limits():
                clf = mdl.make_classifier(kind).fit(X[folds != k], y[folds != k])
                oof[folds == k] = clf.predict_proba(X[folds == k])[:, 1]
        oofs[kind], aucs[kind] = oof, _auc(oof, y.astype(float))
    kind = max(aucs, key=lambda k: (np.nan_to_num(aucs[k]), k == "logreg"))
    shown = ", ".join(f"{k} {v:.3f}" for k, v in aucs.items())
    log(f"    roll-forward: out-of-fold AUC {shown}; chosen {kind}")
    with config.thread_limits():
        clf = mdl.make_classifier(kind).fit(X, y)
    ok = ~np.isnan(oofs[kind])
    calibrator = mdl.Calibrator("platt").fit(oofs[kind][ok], y[ok])
    info = {"validation_auc": aucs, "algorithm": kind, "rows": len(rows), "positives": int(y.sum())}
    return mdl.RollForwardModel(kind, list(features), clf, calibrator, _medians(X)), info


# --------------------------------------------------------------------------------------
# registry: what `predelq train` saves


def build_reference(predict, frame: pd.DataFrame, features: list[str]) -> dict:
    """What scoring compares against: feature medians (reasons) and, per calendar month, the
    bins of every feature and of the score (drift compares a day with its own month)."""
    from ml.drift import reference_bins
    from ml.features import matrix

    X = matrix(frame, features)
    score = predict(frame)
    month = frame["as_of_date"].dt.month.to_numpy()
    by_month = {}
    for m in np.unique(month):
        sel = month == m
        by_month[int(m)] = {
            "rows": int(sel.sum()),
            "feature_bins": {f: reference_bins(X[sel, i]) for i, f in enumerate(features)},
            "score_bins": reference_bins(score[sel]),
        }
    return {
        "start": frame["as_of_date"].min().date().isoformat(),
        "end": frame["as_of_date"].max().date().isoformat(),
        "rows": len(frame),
        "medians": dict(zip(features, [float(v) for v in _medians(X)], strict=True)),
        "feature_bins": {f: reference_bins(X[:, i]) for i, f in enumerate(features)},
        "score_bins": reference_bins(score),
        "by_month": by_month,
    }


def train(db, horizons=config.HORIZONS, artifacts_dir=None, log=print) -> list[dict]:
    """Choose, fit and register the pre-delinquency and roll-forward models from the feature table."""
    from ml import features as feats
    from ml.features import feature_columns
    from predelq.errors import UserError

    min_auc = config.min_active_auc(db)
    df = feats.load(db)
    features = feature_columns(df.columns)
    if not features:
        raise UserError(
            f"{config.FEATURES_TABLE} has no feature columns (prefixes {config.FEATURE_PREFIXES})"
        )
    missing = [c for c in ("label_days_to_dpd30", "label_days_observed", "label_roll_dpd30") if c not in df]
    if missing:
        raise UserError(
            f"{config.FEATURES_TABLE} lacks {', '.join(missing)}: rebuild it (`predelq dbt build`)"
        )
    entries = []
    try:
        sel = select(df, features, log=log)
        model = fit_pre_delinquency(df, features, sel)
    except (NotEnoughData, ValueError) as exc:
        raise UserError(
            f"no pre-delinquency model could be trained: {exc}. Simulate a longer history."
        ) from exc
    cur = mdl.current_mask(df)
    rows = df.loc[cur & every_nth_day(df)]
    val_auc = sel.validation_auc[sel.algorithm]
    entries.append(
        {
            "kind": PRE_DELINQUENCY,
            "model": model,
            "horizons": [h for h in horizons if h in mdl.HORIZONS],
            "metrics": {
                "auc": val_auc.get(90),
                "validation_auc": {
                    a: {str(h): v for h, v in d.items()} for a, d in sel.validation_auc.items()
                },
                "validation_ece": sel.validation_ece,
                "algorithm": sel.algorithm,
                "calibration": sel.calibration,
                "population": "current account-days (DPD 0 on the eve, never 30+ DPD before)",
                "features": len(features),
                "rows": int(len(pre_delinquency_rows(df))),
            },
            "active": (val_auc.get(90) or 0.0) >= min_auc,
            "reference": build_reference(lambda f: model.predict(f)[90], rows, features),
            "start": rows["as_of_date"].min().date(),
            "end": rows["as_of_date"].max().date(),
        }
    )
    try:
        roll, info = fit_roll_forward(df, features, log=log)
        roll_rows = df.loc[mdl.roll_mask(df)]
        entries.append(
            {
                "kind": ROLL_FORWARD,
                "model": roll,
                "horizons": [ROLL_HORIZON],
                "metrics": {
                    "auc": info["validation_auc"][info["algorithm"]],
                    **info,
                    "features": len(features),
                },
                "active": (info["validation_auc"][info["algorithm"]] or 0.0) >= min_auc,
                "reference": build_reference(roll.predict, roll_rows, features),
                "start": roll_rows["as_of_date"].min().date(),
                "end": roll_rows["as_of_date"].max().date(),
            }
        )
    except NotEnoughData as exc:
        log(f"  roll-forward model not trained: {exc}")
    return save_and_register(db, entries, artifacts_dir)


def save_and_register(db, entries: list[dict], folder=None) -> list[dict]:
    """Save each model with joblib and register it (once per horizon), all in one transaction;
    on failure the files just written are removed."""
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
            for e in entries:
                name = e["kind"] if e["kind"] == ROLL_FORWARD else f"delinquency_{e['model'].algorithm}"
                version = registry.next_version(db, name)
                path = folder / f"{name}_{version}.joblib"
                artifact = {
                    "name": name,
                    "version": version,
                    "kind": e["kind"],
                    "model": e["model"],
                    "feature_columns": list(e["model"].features),
                    "reference": e["reference"],
                    "metrics": e["metrics"],
                    "trained_at": now.isoformat(),
                    "sklearn_version": sklearn.__version__,
                }
                joblib.dump(artifact, path)
                written.append(path)
                for h in e["horizons"]:
                    entry = {
                        "name": name,
                        "version": version,
                        "horizon_days": h,
                        "description": _description(e, h),
                        "storage_path": registry.storage_path(path),
                        "trained_at": now,
                        "training_data_start": e["start"],
                        "training_data_end": e["end"],
                        "metrics": e["metrics"],
                    }
                    registry.register(db, entry, activate=e["active"])
                    registered.append(
                        {**entry, "is_active": e["active"], "algorithm": e["metrics"]["algorithm"]}
                    )
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return registered


def _description(e: dict, horizon: int) -> str:
    m = e["metrics"]
    if e["kind"] == ROLL_FORWARD:
        return (
            f"P(a spell of 1-29 DPD reaches 30 DPD before it cures); {m['algorithm']}, Platt-calibrated; "
            f"{m['features']} point-in-time features"
        )
    return (
        f"P(first 30+ DPD within {horizon} days | current account); {m['algorithm']}, "
        f"{m['calibration']}-calibrated out of fold, monotone across 30/90/180 days; "
        f"{m['features']} point-in-time features"
    )
