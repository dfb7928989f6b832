"""`predelq score`: the active model per horizon scores one as-of day and writes it back.

The same function runs from the CLI (both engines) and inside `dbt build` as the
DuckDB Python model python_models/ml/ml_scoring_runs.py. Order of work:

1. find the active model of each horizon asked for and load its artifact;
2. load the features of the as-of day (default: the latest) and check every column
   each model needs is there;
3. score the accounts not already 30+ DPD, explain each score (ml.reasons) and
   compute PSI per feature and of the score against the training window (ml.drift);
4. in ONE transaction, per horizon: delete that as-of day's rows, insert the new
   ones (scores and drift). Re-scoring a day replaces it, never duplicates it.

`predelq score` is strict: nothing is written unless steps 1-3 succeeded for every
horizon asked for. Inside `dbt build` (strict=False) a horizon without a usable
model or with a missing feature column is skipped and reported instead, so an ML
problem never blocks the rule-based layers downstream.
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


def score_day(day: pd.DataFrame, artifact: dict) -> pd.DataFrame:
    """Probabilities and reasons for the eligible rows of one as-of day."""
    from ml.features import matrix
    from ml.reasons import explain

    rows = day.loc[~day[config.DELINQUENT_FLAG].astype(bool)].reset_index(drop=True)
    features = artifact["feature_columns"]
    X = matrix(rows, features)
    model = artifact["model"]
    proba = model.predict_proba(X)[:, 1] if len(rows) else np.array([])
    reasons = explain(model, X, proba, features, artifact["reference"]["medians"]) if len(rows) else []
    return pd.DataFrame({"account_id": rows["account_id"], "probability": proba, "top_reasons": reasons})


def drift_rows(day: pd.DataFrame, scores: pd.DataFrame, artifact: dict) -> pd.DataFrame:
    from ml.drift import psi
    from ml.features import matrix

    rows = day.loc[~day[config.DELINQUENT_FLAG].astype(bool)]
    ref = artifact["reference"]
    features = artifact["feature_columns"]
    X = matrix(rows, features)
    out = [("feature", f, psi(ref["feature_bins"][f], X[:, i])) for i, f in enumerate(features)]
    out.append(("score", "__score__", psi(ref["score_bins"], scores["probability"].to_numpy())))
    frame = pd.DataFrame(out, columns=["variable_kind", "variable_name", "psi"])
    frame["is_drifted"] = frame["psi"].fillna(0) > config.PSI_WARNING
    frame["reference_start"] = pd.Timestamp(ref["start"]).date()
    frame["reference_end"] = pd.Timestamp(ref["end"]).date()
    frame["reference_rows"] = int(ref["rows"])
    frame["current_rows"] = len(rows)
    return frame


def plan(db: Db, horizons=None, strict: bool = True, log=print) -> tuple[dict[int, tuple], dict[int, str]]:
    """({horizon: (RegisteredModel, artifact)}, {horizon: why not}) for the horizons to score.

    `horizons` None = every horizon with an active model (error if there is none);
    explicit horizons must all have one. Errors name what is missing; with
    strict=False they are returned as the second dict instead of raised.
    """
    from ml import registry

    active = registry.active_models(db)
    wanted = tuple(horizons) if horizons else config.HORIZONS
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


def score(db: Db, as_of=None, horizons=None, day: pd.DataFrame | None = None, strict: bool = True, log=print):
    """Score one as-of day for every planned horizon and write the results. Returns a summary frame.

    strict (the CLI): any missing model, artifact or feature column is an error and
    nothing is written. Not strict (inside dbt build): those horizons are skipped,
    said in the log and in the summary (status, message), and the others scored.
    """
    from ml import features as feats

    models, problems = plan(db, horizons, strict=strict, log=log)
    if day is None and models:
        _check_columns(models, feats.table_columns(db), strict, problems, log)
        as_of = pd.Timestamp(as_of).date() if as_of is not None else feats.latest_as_of(db)
        needed = sorted({c for _, a in models.values() for c in a["feature_columns"]})
        day = feats.load(db, as_of=as_of, columns=needed) if models else None
    elif day is not None:
        day = feats.normalise(day)
        as_of = day["as_of_date"].max().date() if len(day) else as_of
        _check_columns(models, day.columns, strict, problems, log)
    if models and day.empty:
        raise UserError(f"{config.FEATURES_TABLE} has no rows for as-of day {as_of}")
    results = []
    with config.thread_limits():
        for h, (m, artifact) in sorted(models.items()):
            scores = score_day(day, artifact)
            results.append(HorizonResult(h, m.name, m.version, scores, drift_rows(day, scores, artifact)))
    scored_at = dt.datetime.now(dt.UTC)
    if results:
        write(db, as_of, results, scored_at)
    summary = []
    for r in results:
        drifted = r.drift[r.drift["is_drifted"]].sort_values("psi", ascending=False)
        if len(drifted):
            head = drifted.head(5)
            top = ", ".join(f"{n} {v:.2f}" for n, v in zip(head["variable_name"], head["psi"], strict=True))
            log(
                f"  WARNING drift {r.horizon}d ({r.model_name} {r.model_version}): {len(drifted)} "
                f"variable(s) with PSI > {config.PSI_WARNING} against the training window: {top}"
            )
        score_psi = r.drift.loc[r.drift["variable_kind"] == "score", "psi"].iloc[0]
        summary.append(
            {
                "as_of_date": pd.Timestamp(as_of),
                "horizon_days": r.horizon,
                "status": "scored",
                "message": None,
                "model_name": r.model_name,
                "model_version": r.model_version,
                "accounts_scored": len(r.scores),
                "mean_probability": float(r.scores["probability"].mean()) if len(r.scores) else np.nan,
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
                "features_drifted": 0,
                "scored_at": pd.Timestamp(scored_at),
            }
        )
    if not summary:
        return empty_summary()
    return pd.DataFrame(summary, columns=list(SUMMARY_COLUMNS)).astype(SUMMARY_COLUMNS)


def empty_summary() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in SUMMARY_COLUMNS.items()})


def write(db: Db, as_of, results: list[HorizonResult], scored_at: dt.datetime) -> None:
    """Replace the as-of day's rows of each horizon, all in one transaction."""
    db.ensure_ml_schema()
    run_id = str(uuid.uuid4())
    with db.transaction():
        for r in results:
            for table in (config.SCORES_TABLE, config.DRIFT_TABLE):
                db.execute(
                    f"delete from {table} where as_of_date = %s and horizon_days = %s", [as_of, r.horizon]
                )
            db.insert_rows(
                config.SCORES_TABLE,
                SCORE_COLUMNS,
                [
                    (a, as_of, r.horizon, float(p), r.model_name, r.model_version, why, scored_at)
                    for a, p, why in zip(
                        r.scores["account_id"], r.scores["probability"], r.scores["top_reasons"], strict=True
                    )
                ],
            )
            db.insert_rows(
                config.DRIFT_TABLE,
                DRIFT_COLUMNS,
                [
                    (
                        run_id,
                        scored_at,
                        as_of,
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


def score_in_dbt(session, features_relation, log=print) -> pd.DataFrame:
    """Body of the DuckDB Python model ml_scoring_runs: score the latest as-of day.

    `session` is dbt's DuckDB connection (inside dbt's transaction, so the writes
    commit or roll back with the model); `features_relation` is dbt.ref('ml_features_daily').
    Never trains. A horizon without a usable active model (none yet, artifact missing,
    feature column missing) is skipped: said in the log and in the summary row's
    status/message, so the rule-based indicators and events downstream still build.
    """
    db = Db(session, "duckdb")
    latest = features_relation.aggregate("max(as_of_date)").fetchall()[0][0]
    if latest is None:
        log("ml_scoring_runs: ml_features_daily is empty, nothing scored")
        return empty_summary()
    as_of = pd.Timestamp(latest).date()
    models, _ = plan(db, strict=False, log=lambda *_: None)
    if not models:
        log(
            "ml_scoring_runs: no active model in ml.model_registry, nothing scored "
            "(run `predelq train`, then `predelq dbt build -s ml_scoring_runs+`)"
        )
        return score(db, as_of=as_of, day=features_relation.limit(0).df(), strict=False, log=log)
    day = features_relation.filter(f"as_of_date = DATE '{as_of.isoformat()}'").df()
    log(f"ml_scoring_runs: scoring as-of day {as_of}")
    return score(db, day=day, strict=False, log=log)
