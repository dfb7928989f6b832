"""`predelq score`: the active models score every as-of day not scored yet, and write it back.

The same code runs from the CLI and from the pipeline and the demo (ml/pipeline.py) on
every engine; dbt only reads what it writes (sources `ml.*`). A **daily score history**:

1. find the active models (registry) and load their artifacts: the pre-delinquency
   model (one artifact, registered for horizons 30, 90 and 180) and the roll-forward
   model (horizon_days 0);
2. the days to score: every as-of day of the feature table when the active model
   version has no scores yet, else from RESCORE_DAYS before its latest scored day
   (late data can change recent features) to the latest day;
3. per day: accounts at DPD 0 on the eve get P(first 30+ DPD within 30 / 90 / 180
   days), monotone across horizons; accounts at 1-29 DPD get the roll-forward
   probability (horizon_days 0); accounts already 30+ DPD are not scored;
4. reasons (ml.model: exact log-odds contributions, or ml.reasons' attribution) for
   every scored account of the latest day and, on earlier days, for the alerted ones
   (the top ALERT_SHARE of the day's current accounts, and every roll-forward row);
5. drift (PSI per feature and of the score) over the last scored week, against
   the training rows of the same calendar month (like with like), when there are
   enough rows for a PSI to mean something;
6. in chunks of days, one transaction each: delete the days' rows, insert the new
   ones. Re-scoring replaces, never duplicates; an interrupted run is finished by
   the next one;
7. the run's summary, one row per horizon (scored, or not_scored and why), replaces
   that horizon's row of ml.scoring_runs.

`predelq score` is strict: nothing is written unless every horizon asked for has a
usable model and its features. The DuckDB pipeline and demo score with strict=False:
a horizon without one is skipped and reported, so an ML problem never blocks the
rule-based layers.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ml import config
from ml.db import Db
from predelq.errors import UserError

SCORE_COLUMNS = [
    "account_id",
    "as_of_date",
    "horizon_days",
    "probability",
    "model_name",
    "model_version",
    "top_reasons",
    "scored_at",
]
DRIFT_COLUMNS = [
    "run_id",
    "computed_at",
    "as_of_date",
    "horizon_days",
    "model_name",
    "model_version",
    "variable_name",
    "variable_kind",
    "psi",
    "is_drifted",
    "reference_start",
    "reference_end",
    "reference_rows",
    "current_rows",
]
SUMMARY_COLUMNS = {
    "as_of_date": "datetime64[ns]",
    "horizon_days": "int64",
    "status": "object",
    "message": "object",
    "model_name": "object",
    "model_version": "object",
    "accounts_scored": "int64",
    "days_scored": "int64",
    "mean_probability": "float64",
    "features_drifted": "int64",
    "score_psi": "float64",
    "scored_at": "datetime64[ns, UTC]",
}


@dataclass
class HorizonResult:
    horizon: int
    model_name: str
    model_version: str
    scores: pd.DataFrame
    drift: pd.DataFrame


RESCORE_DAYS = 3  # as var telemetry_lookback_days: late data may still change recent features
ALERT_SHARE = 0.05  # reasons on earlier days: the day's alert list
CHUNK_DAYS = 60
PRE_HORIZONS = (30, 90, 180)


def predict_rows(frame: pd.DataFrame, horizon: int, artifact: dict) -> tuple[np.ndarray, np.ndarray]:
    """(row positions, probabilities) of `frame` a model scores for one horizon."""
    from ml import model as mdl

    m = artifact["model"]
    if not hasattr(m, "predict_matrix"):
        raise UserError(
            f"artifact {artifact.get('name')} {artifact.get('version')} is from an older PredelQ: "
            "retrain with `predelq train`"
        )
    delinquent = frame[config.DELINQUENT_FLAG].astype(bool).to_numpy()
    if horizon == 0:
        rows = np.flatnonzero(mdl.roll_mask(frame) & ~delinquent)
        return rows, m.predict(frame.iloc[rows]) if len(rows) else np.zeros(0)
    rows = np.flatnonzero(mdl.scored_mask(frame) & ~delinquent)
    return rows, m.predict(frame.iloc[rows])[horizon] if len(rows) else np.zeros(0)


def reasons_for(frame: pd.DataFrame, artifact: dict, explain_rows: np.ndarray) -> dict[int, str]:
    """Reasons text for the given row positions of `frame`."""
    from ml.features import matrix
    from ml.reasons import explain, explain_contributions

    if len(explain_rows) == 0:
        return {}
    m = artifact["model"]
    X = matrix(frame.iloc[explain_rows], m.features)
    contributions = getattr(getattr(m, "core", None), "logit_contributions", None)
    exact = contributions(X, m.typical) if contributions else None
    if exact is not None:
        texts = explain_contributions(exact, X, m.features)
    else:
        # the pre-delinquency model explains its 90-day probability (the alert list's ranking)
        predict = (lambda Z: m.predict_matrix(Z)[90]) if hasattr(m, "calibrators") else m.predict_matrix
        texts = explain(predict, X, predict(X), m.features, artifact["reference"]["medians"])
    return dict(zip(explain_rows.tolist(), texts, strict=True))


def score_frame(frame: pd.DataFrame, models: dict[int, tuple]) -> dict[int, pd.DataFrame]:
    """Probabilities (and reasons) of every scored row of `frame`, per horizon."""
    out: dict[int, pd.DataFrame] = {}
    if frame.empty:
        return {
            h: pd.DataFrame(columns=["account_id", "as_of_date", "probability", "top_reasons"])
            for h in models
        }
    latest = frame["as_of_date"].max()
    by_artifact: dict[str, list[int]] = {}
    for h, (m, _) in models.items():
        by_artifact.setdefault(m.storage_path, []).append(h)
    for horizons in by_artifact.values():
        artifact = models[horizons[0]][1]
        preds = {h: predict_rows(frame, h, artifact) for h in horizons}
        rows0, p0 = preds[90] if 90 in preds else next(iter(preds.values()))
        explain_rows = set(rows0[(frame["as_of_date"].to_numpy()[rows0] == latest)].tolist())
        if 0 in preds:
            explain_rows |= set(preds[0][0].tolist())
        else:
            day = frame["as_of_date"].to_numpy()[rows0]
            ranks = pd.Series(p0).groupby(day).rank(ascending=False, method="min").to_numpy()  # ties all in
            sizes = pd.Series(day).map(pd.Series(day).value_counts()).to_numpy()
            explain_rows |= set(rows0[ranks <= np.ceil(ALERT_SHARE * sizes)].tolist())
        texts = reasons_for(frame, artifact, np.array(sorted(explain_rows), dtype=int))
        for h, (rows, proba) in preds.items():
            out[h] = pd.DataFrame(
                {
                    "account_id": frame["account_id"].to_numpy()[rows],
                    "as_of_date": frame["as_of_date"].to_numpy()[rows],
                    "probability": proba,
                    "top_reasons": [texts.get(int(r)) for r in rows],
                }
            )
    return out


def drift_rows(day: pd.DataFrame, scores: pd.DataFrame, artifact: dict, psi_cut: float) -> pd.DataFrame:
    """PSI of every feature and of the score over the last scored week, against the training rows
    of the same calendar month (the whole training window when that month has too few rows); no
    PSI (None) with fewer than MIN_DRIFT_ROWS scored rows. Drifted: PSI above `psi_cut`."""
    from ml.drift import psi
    from ml.features import matrix

    ref = artifact["reference"]
    month = int(pd.Timestamp(day["as_of_date"].max()).month) if len(day) else 0
    window = ref.get("by_month", {}).get(month) or ref.get("by_month", {}).get(str(month))
    if not window or window.get("rows", 0) < MIN_REFERENCE_ROWS:
        window = ref
    features = artifact["feature_columns"]
    X = matrix(day, features)
    enough = len(day) >= MIN_DRIFT_ROWS
    out = [
        ("feature", f, psi(window["feature_bins"][f], X[:, i]) if enough else None)
        for i, f in enumerate(features)
    ]
    out.append(
        (
            "score",
            "__score__",
            psi(window["score_bins"], scores["probability"].to_numpy()) if enough else None,
        )
    )
    frame = pd.DataFrame(out, columns=["variable_kind", "variable_name", "psi"])
    frame["is_drifted"] = frame["psi"].fillna(0) > psi_cut
    frame["reference_start"] = pd.Timestamp(ref["start"]).date()
    frame["reference_end"] = pd.Timestamp(ref["end"]).date()
    frame["reference_rows"] = int(window["rows"])
    frame["current_rows"] = len(day)
    return frame


MIN_REFERENCE_ROWS = 300
DRIFT_DAYS = 7  # drift compares the last week scored with the training rows of its month
MIN_DRIFT_ROWS = 200  # fewer scored rows than this: too few for a PSI, no drift computed


def plan(db: Db, horizons=None, strict: bool = True, log=print) -> tuple[dict[int, tuple], dict[int, str]]:
    """({horizon: (RegisteredModel, artifact)}, {horizon: why not}) for the horizons to score.

    `horizons` None = every horizon with an active model (error if there is none);
    explicit horizons must all have one. Errors name what is missing; with
    strict=False they are returned as the second dict instead of raised.
    """
    from ml import registry

    active = registry.active_models(db)
    wanted = tuple(horizons) if horizons else config.HORIZONS
    if not horizons and 0 in active:
        wanted = (*wanted, 0)  # the roll-forward model scores when it is active
    missing = [h for h in wanted if h not in active]
    if missing and (horizons or len(missing) == len(wanted)) and strict:
        raise UserError(
            "no active model for horizon(s) "
            + ", ".join(f"{h}d" for h in missing)
            + f" in {config.REGISTRY_TABLE}: run `predelq train` first"
        )
    problems = {h: f"no active model in {config.REGISTRY_TABLE} (run `predelq train`)" for h in missing}
    for h in missing:
        log(f"  horizon {h}d: no active model, not scored")
    models = {}
    for h, m in active.items():
        if h not in wanted:
            continue
        try:
            models[h] = (m, registry.load_artifact(m))
        except UserError as exc:
            if strict:
                raise
            problems[h] = str(exc)
    return models, problems


def _check_columns(models: dict, available, strict: bool, problems: dict, log) -> None:
    from ml import features as feats

    for h, (m, artifact) in list(models.items()):
        try:
            feats.require_columns(available, artifact["feature_columns"], f"active model {m.label} ({h}d)")
        except UserError as exc:
            if strict:
                raise
            problems[h] = str(exc)
            del models[h]
            log(f"  ERROR horizon {h}d not scored: {exc}")


def days_to_score(db: Db, models: dict, available_days: list, full: bool = False) -> list:
    """As-of days to (re)score: all when the active version has no scores yet (or `full`), else from
    RESCORE_DAYS before its latest scored day to the latest day with features."""
    if not available_days:
        return []
    if full or not db.relation_exists(*config.SCORES_TABLE.split(".")):
        return list(available_days)
    latest_scored = None
    for h, (m, _) in models.items():
        value = db.query(
            f"select max(as_of_date) from {config.SCORES_TABLE} "
            "where horizon_days = %s and model_name = %s and model_version = %s",
            [h, m.name, m.version],
        )[0][0]
        if value is None:
            return list(available_days)
        value = pd.Timestamp(value)
        latest_scored = value if latest_scored is None else min(latest_scored, value)
    start = latest_scored - pd.Timedelta(days=RESCORE_DAYS - 1)
    return [d for d in available_days if d >= start]


def score(
    db: Db,
    as_of=None,
    horizons=None,
    day: pd.DataFrame | None = None,
    strict: bool = True,
    log=print,
    full: bool = False,
    frame: pd.DataFrame | None = None,
):
    """Score the as-of days due (or one `as_of` day, or the rows of `day` / `frame`) for every
    planned horizon and write them. Returns a summary frame (one row per horizon)."""
    from ml import features as feats

    models, problems = plan(db, horizons, strict=strict, log=log)
    if day is not None:
        frame = day
    if frame is None and models:
        _check_columns(models, feats.table_columns(db), strict, problems, log)
        needed = sorted({c for _, a in models.values() for c in a["feature_columns"]})
        needed += [c for c in ("pay_days_past_due", "pay_prior_dpd30_episodes") if c not in needed]
        if as_of is not None:
            frame = feats.load(db, as_of=pd.Timestamp(as_of).date(), columns=needed)
            if frame.empty:
                raise UserError(
                    f"{config.FEATURES_TABLE} has no rows for as-of day {pd.Timestamp(as_of).date()}"
                )
        else:
            available = [pd.Timestamp(d) for (d,) in db.query(
                f"select distinct as_of_date from {config.FEATURES_TABLE} order by 1"
            )]  # fmt: skip
            todo = days_to_score(db, models, available, full=full) if models else []
            frame = (
                feats.load(db, columns=needed, since=todo[0])
                if todo
                else feats.load(db, as_of=None, columns=needed).iloc[0:0]
            )
    elif frame is not None:
        frame = feats.normalise(frame)
        _check_columns(models, frame.columns, strict, problems, log)
    if models and frame is not None and frame.empty and as_of is not None:
        raise UserError(f"{config.FEATURES_TABLE} has no rows for as-of day {as_of}")
    frame = frame if frame is not None else pd.DataFrame()
    scored_at = dt.datetime.now(dt.UTC)
    results: list[HorizonResult] = []
    psi_cut = config.psi_drift_cut(db) if models and len(frame) else None
    if models and len(frame):
        days = np.sort(frame["as_of_date"].unique())
        latest = pd.Timestamp(days[-1])
        with config.thread_limits():
            per_h = score_frame(frame, models)
        # drift: the scored rows of the last week in this run (a rolling window, steadier than a day)
        recent = frame[frame["as_of_date"] > latest - pd.Timedelta(days=DRIFT_DAYS)]
        for h, (m, artifact) in sorted(models.items()):
            scores = per_h[h]
            last = scores[scores["as_of_date"] > latest - pd.Timedelta(days=DRIFT_DAYS)]
            rows = recent.iloc[predict_rows(recent, h, artifact)[0]]
            results.append(
                HorizonResult(h, m.name, m.version, scores, drift_rows(rows, last, artifact, psi_cut))
            )
        write(db, [pd.Timestamp(d) for d in days], results, scored_at)
        log(f"  scored {len(days)} as-of day(s), {pd.Timestamp(days[0]).date()}..{latest.date()}")
    summary = []
    for r in results:
        drifted = r.drift[r.drift["is_drifted"]].sort_values("psi", ascending=False)
        if len(drifted):
            head = drifted.head(5)
            top = ", ".join(f"{n} {v:.2f}" for n, v in zip(head["variable_name"], head["psi"], strict=True))
            log(
                f"  WARNING drift {r.horizon}d ({r.model_name} {r.model_version}): {len(drifted)} "
                f"variable(s) with PSI > {psi_cut} against the training rows of the same month: "
                f"{top}"
            )
        score_psi = r.drift.loc[r.drift["variable_kind"] == "score", "psi"].iloc[0]
        latest_day = r.scores["as_of_date"].max() if len(r.scores) else pd.NaT
        on_latest = r.scores[r.scores["as_of_date"] == latest_day]
        summary.append(
            {
                "as_of_date": pd.Timestamp(latest_day),
                "horizon_days": r.horizon,
                "status": "scored",
                "message": None,
                "model_name": r.model_name,
                "model_version": r.model_version,
                "accounts_scored": len(on_latest),
                "days_scored": int(r.scores["as_of_date"].nunique()),
                "mean_probability": float(on_latest["probability"].mean()) if len(on_latest) else np.nan,
                "features_drifted": int(
                    ((r.drift["variable_kind"] == "feature") & r.drift["is_drifted"]).sum()
                ),
                "score_psi": np.nan if score_psi is None else float(score_psi),
                "scored_at": pd.Timestamp(scored_at),
            }
        )
    for h, why in sorted(problems.items()):
        summary.append(
            {
                "as_of_date": pd.Timestamp(as_of) if as_of is not None else pd.NaT,
                "horizon_days": h,
                "status": "not_scored",
                "message": why,
                "accounts_scored": 0,
                "days_scored": 0,
                "features_drifted": 0,
                "scored_at": pd.Timestamp(scored_at),
            }
        )
    if not summary:
        return empty_summary()
    out = pd.DataFrame(summary, columns=list(SUMMARY_COLUMNS)).astype(SUMMARY_COLUMNS)
    record_summary(db, out)
    return out


def empty_summary() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in SUMMARY_COLUMNS.items()})


def record_summary(db: Db, summary: pd.DataFrame) -> None:
    """Replace the row of each horizon in the summary in ml.scoring_runs (the last scoring of each
    horizon, which the dbt view ml_scoring_runs shows)."""

    def plain(v):
        if v is None or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
            return None
        if isinstance(v, pd.Timestamp):
            return v.to_pydatetime()
        return v.item() if isinstance(v, np.generic) else v

    db.ensure_ml_schema()
    rows = [tuple(plain(v) for v in r) for r in summary.itertuples(index=False)]
    rows = [(r[0].date() if r[0] is not None else None, *r[1:]) for r in rows]
    with db.transaction():
        for h in summary["horizon_days"]:
            db.execute(f"delete from {config.SCORING_RUNS_TABLE} where horizon_days = %s", [int(h)])
        db.insert_rows(config.SCORING_RUNS_TABLE, list(SUMMARY_COLUMNS), rows)


def _text(value) -> str | None:
    """A reason string, or None (never NaN: pandas turns a missing reason into a float)."""
    return value if isinstance(value, str) else None


def write(db: Db, days: list, results: list[HorizonResult], scored_at: dt.datetime) -> None:
    """Replace the scored days' rows of each horizon, a chunk of days per transaction (drift: the
    latest day). Scores of a day never appear half written."""
    db.ensure_ml_schema()
    run_id = str(uuid.uuid4())
    days = sorted(days)
    latest = days[-1]
    for i in range(0, len(days), CHUNK_DAYS):
        chunk = days[i : i + CHUNK_DAYS]
        lo, hi = chunk[0].date(), chunk[-1].date()
        with db.transaction():
            for r in results:
                db.execute(
                    f"delete from {config.SCORES_TABLE} "
                    "where as_of_date between %s and %s and horizon_days = %s",
                    [lo, hi, r.horizon],
                )
                part = r.scores[(r.scores["as_of_date"] >= chunk[0]) & (r.scores["as_of_date"] <= chunk[-1])]
                db.insert_rows(
                    config.SCORES_TABLE,
                    SCORE_COLUMNS,
                    [
                        (
                            a,
                            pd.Timestamp(d).date(),
                            r.horizon,
                            float(p),
                            r.model_name,
                            r.model_version,
                            _text(why),
                            scored_at,
                        )
                        for a, d, p, why in zip(
                            part["account_id"],
                            part["as_of_date"],
                            part["probability"],
                            part["top_reasons"],
                            strict=True,
                        )
                    ],
                )
                if latest in chunk:
                    db.execute(
                        f"delete from {config.DRIFT_TABLE} where as_of_date = %s and horizon_days = %s",
                        [latest.date(), r.horizon],
                    )
                    db.insert_rows(
                        config.DRIFT_TABLE,
                        DRIFT_COLUMNS,
                        [
                            (
                                run_id,
                                scored_at,
                                latest.date(),
                                r.horizon,
                                r.model_name,
                                r.model_version,
                                d.variable_name,
                                d.variable_kind,
                                None if pd.isna(d.psi) else float(d.psi),
                                bool(d.is_drifted),
                                d.reference_start,
                                d.reference_end,
                                int(d.reference_rows),
                                int(d.current_rows),
                            )
                            for d in r.drift.itertuples(index=False)
                        ],
                    )
