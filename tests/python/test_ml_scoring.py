"""The scorer's write-back on both engines, on a small synthetic feature table.

The feature table here is written by the test (same rows on DuckDB and PostgreSQL),
so these tests exercise train -> registry -> score -> write-back quickly and
independently of the dbt models; tests/python/test_ml_features.py covers the dbt
feature model itself.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ml import config, registry
from ml import score as scoring
from ml import train as training
from ml.db import Db
from predelq.errors import UserError

N_ACCOUNTS, N_DAYS, START = 120, 130, dt.date(2026, 1, 1)
FEATURES = ["pay_dpd", "pay_bounces_90d", "tel_km_7d", "tel_idle_days_30d", "acct_tenure_months"]


def synthetic_features(seed: int = 0) -> pd.DataFrame:
    """Accounts that drift towards a 30+ DPD day; labels null where the window passes the end."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(N_ACCOUNTS):
        account = str(uuid.UUID(int=rng.integers(1, 2**62).item()))
        bad_day = int(rng.integers(20, N_DAYS + 40)) if i % 2 == 0 else None
        for t in range(N_DAYS):
            to_go = (bad_day - t) if bad_day is not None else 10**6
            stress = float(np.clip(1 - to_go / 60, 0, 1))
            row = {
                "account_id": account,
                "as_of_date": START + dt.timedelta(days=t),
                "is_delinquent_at_as_of": bad_day is not None and t > bad_day,
                "pay_dpd": float(max(0, 30 - to_go)) if 0 < to_go < 30 else 0.0,
                "pay_bounces_90d": float(rng.poisson(0.3 + 2 * stress)),
                "tel_km_7d": float(rng.normal(50 - 25 * stress, 8)),
                "tel_idle_days_30d": float(rng.poisson(1 + 4 * stress)) if t % 17 else np.nan,
                "acct_tenure_months": float(24 + i % 4 * 12),
            }
            for h in config.HORIZONS:
                known = t + h - 1 < N_DAYS
                row[config.label_column(h)] = (
                    float(bad_day is not None and t <= bad_day <= t + h - 1) if known else None
                )
            rows.append(row)
    return pd.DataFrame(rows)


def write_features(wh, df: pd.DataFrame) -> None:
    """Create ml.ml_features_daily with exactly these rows on the warehouse's engine."""
    with wh.activated() as target, Db.open(target) as db:
        db.ensure_ml_schema()
        db.execute(f"drop table if exists {config.FEATURES_TABLE}")
        cols = ["account_id uuid", "as_of_date date", "is_delinquent_at_as_of boolean"]
        cols += [f"{c} double precision" for c in FEATURES]
        cols += [f"{config.label_column(h)} double precision" for h in config.HORIZONS]
        db.execute(f"create table {config.FEATURES_TABLE} ({', '.join(cols)})")
        names = [c.split()[0] for c in cols]
        values = [
            [None if isinstance(v, float) and np.isnan(v) else v for v in row]
            for row in df[names].astype(object).itertuples(index=False, name=None)
        ]
        db.insert_rows(config.FEATURES_TABLE, names, values)


@pytest.fixture(scope="module")
def features() -> pd.DataFrame:
    from ml.features import normalise

    return normalise(synthetic_features())


@pytest.fixture
def artifacts(tmp_path, monkeypatch):
    folder = tmp_path / "artifacts"
    monkeypatch.setenv("PREDELQ_ML_ARTIFACTS", str(folder))
    return folder


@pytest.fixture(scope="module")
def trained_template(tmp_path_factory, features):
    """A DuckDB warehouse with the features and active 30d and 90d models, trained once."""
    from conftest import make_duckdb_warehouse, warehouse_env

    wh = make_duckdb_warehouse(tmp_path_factory.mktemp("ml_trained"))
    write_features(wh, features)
    with warehouse_env(PREDELQ_ML_ARTIFACTS=str(wh.workdir / "artifacts")):
        train_on(wh, horizons=(30, 90))
    return wh


@pytest.fixture
def trained(trained_template, duckdb_warehouse):
    """A fresh copy of the trained template (the artifacts are shared, read-only)."""
    import shutil

    shutil.copyfile(trained_template.env["PREDELQ_DUCKDB_PATH"], duckdb_warehouse.env["PREDELQ_DUCKDB_PATH"])
    return duckdb_warehouse


def train_on(wh, horizons=(30,)) -> list[dict]:
    with wh.activated() as target, Db.open(target) as db:
        return training.train(db, horizons, log=lambda *_: None)


def scores_of(wh) -> list[tuple]:
    return wh.query(
        "select cast(account_id as varchar(36)), as_of_date, horizon_days, probability, model_name, "
        "model_version, top_reasons from ml.delinquency_scores order by 1, 2, 3"
    )


def run_score(wh, **kwargs):
    with wh.activated() as target, Db.open(target) as db:
        return scoring.score(db, log=lambda *_: None, **kwargs)


def test_train_registers_one_active_model_per_horizon(trained, artifacts):
    duckdb_warehouse = trained  # trained once for 30d and 90d (both algorithms)
    rows = duckdb_warehouse.query(
        "select horizon_days, count(*), sum(case when is_active then 1 else 0 end) "
        "from ml.model_registry group by 1 order by 1"
    )
    assert rows == [(30, 2, 1), (90, 2, 1)]
    metrics = json.loads(
        duckdb_warehouse.scalar(
            "select cast(metrics as varchar) from ml.model_registry where is_active limit 1"
        )
    )
    for key in ("auc", "pr_auc", "brier", "ks", "precision_top10", "recall_top10", "lift_top10", "split"):
        assert metrics[key] is not None, key
    assert metrics["split"]["train_accounts"] and metrics["split"]["test_accounts"]
    paths = [p for (p,) in duckdb_warehouse.query("select storage_path from ml.model_registry")]
    assert all(Path(p).exists() for p in paths)
    # training again adds v2 and moves the active flag, never two active per horizon
    train_on(duckdb_warehouse, horizons=(30,))
    assert duckdb_warehouse.query(
        "select count(*), max(version) from ml.model_registry where is_active and horizon_days = 30"
    ) == [(1, "v2")]
    assert duckdb_warehouse.scalar("select count(*) from ml.model_registry") == 6
    assert len(list(artifacts.iterdir())) == 2


def test_time_split_keeps_label_windows_out_of_the_test_period(features):
    rows = training.labelled(features, 30)
    split = training.time_split(rows, 30)
    cut = pd.Timestamp(split.info["test_start"])
    assert split.train["as_of_date"].max() + pd.Timedelta(days=29) < cut
    assert split.info["label_window_overlap_days"] == 0
    assert set(split.train.index).isdisjoint(split.test.index)
    # already-delinquent rows and unknowable labels are never used
    assert not rows["is_delinquent_at_as_of"].any()
    assert rows[config.label_column(30)].notna().all()


def test_scoring_twice_writes_the_same_rows_once(trained, features):
    duckdb_warehouse = trained
    first = run_score(duckdb_warehouse)
    once = scores_of(duckdb_warehouse)
    run_score(duckdb_warehouse)
    twice = scores_of(duckdb_warehouse)
    assert once == twice
    eligible = features[
        (features["as_of_date"] == features["as_of_date"].max()) & ~features["is_delinquent_at_as_of"]
    ]
    assert list(first["accounts_scored"]) == [len(eligible), len(eligible), 0]  # 30d, 90d; no 180d model
    assert len(once) == 2 * len(eligible)
    assert all(0.0 <= r[3] <= 1.0 for r in once)
    # an earlier day scored next to it, the latest day untouched
    run_score(duckdb_warehouse, as_of=START + dt.timedelta(days=100))
    assert duckdb_warehouse.scalar("select count(distinct as_of_date) from ml.delinquency_scores") == 2
    assert [r for r in scores_of(duckdb_warehouse) if r[1] == once[0][1]] == once
    # drift: one row per feature and one for the score, per horizon and day
    day = once[0][1].isoformat()
    drift = duckdb_warehouse.scalar(f"select count(*) from ml.drift_results where as_of_date = '{day}'")
    assert drift == 2 * (len(FEATURES) + 1)


def test_reasons_name_what_pushed_the_score_up(trained):
    duckdb_warehouse = trained
    run_score(duckdb_warehouse)
    top = duckdb_warehouse.query(
        "select probability, top_reasons from ml.delinquency_scores order by probability desc limit 1"
    )
    probability, reasons = top[0]
    assert probability > 0.5 and reasons, top
    assert len(reasons.split("; ")) <= 3
    # a probability near zero has nothing pushing it up
    low = duckdb_warehouse.query("select top_reasons from ml.delinquency_scores order by probability limit 1")
    assert low == [("",)]


def test_scoring_without_an_active_model_fails_and_writes_nothing(trained, capsys):
    duckdb_warehouse = trained
    active_30d = duckdb_warehouse.scalar(
        "select cast(id as varchar(36)) from ml.model_registry where is_active and horizon_days = 30"
    )
    duckdb_warehouse.execute("update ml.model_registry set is_active = false")
    with pytest.raises(UserError, match=r"no active model for horizon\(s\) 30d, 90d, 180d"):
        run_score(duckdb_warehouse)
    assert duckdb_warehouse.cli("score") == 2
    assert "no active model" in capsys.readouterr().err
    duckdb_warehouse.execute(f"update ml.model_registry set is_active = true where id = '{active_30d}'")
    with pytest.raises(UserError, match=r"no active model for horizon\(s\) 90d"):
        run_score(duckdb_warehouse, horizons=[30, 90])
    assert duckdb_warehouse.scalar("select count(*) from ml.delinquency_scores") == 0
    # by default every horizon with an active model is scored; the others are reported
    summary = run_score(duckdb_warehouse)
    assert dict(zip(summary["horizon_days"], summary["status"], strict=True)) == {
        30: "scored",
        90: "not_scored",
        180: "not_scored",
    }


def test_missing_feature_column_fails_naming_it_and_keeps_old_scores(trained):
    duckdb_warehouse = trained
    run_score(duckdb_warehouse)
    before = scores_of(duckdb_warehouse)
    duckdb_warehouse.execute("alter table ml.ml_features_daily drop column tel_km_7d")
    with pytest.raises(UserError, match="lacks column.*tel_km_7d.*delinquency_30d"):
        run_score(duckdb_warehouse)
    assert scores_of(duckdb_warehouse) == before
    # inside dbt build (not strict) the horizons are skipped with the reason instead
    summary = run_score(duckdb_warehouse, strict=False)
    assert list(summary["status"]) == ["not_scored", "not_scored", "not_scored"]
    assert "tel_km_7d" in summary["message"].iloc[0]
    assert scores_of(duckdb_warehouse) == before


def test_a_failed_write_leaves_nothing_half_written(trained, monkeypatch):
    duckdb_warehouse = trained
    run_score(duckdb_warehouse)
    before = scores_of(duckdb_warehouse)
    real = scoring.Db.insert_rows
    calls = []

    def fail_on_third(self, table, columns, rows):
        calls.append(table)
        if len(calls) == 3:  # 30d scores and drift written, 90d scores fail
            raise RuntimeError("disk full")
        return real(self, table, columns, rows)

    monkeypatch.setattr(scoring.Db, "insert_rows", fail_on_third)
    with pytest.raises(RuntimeError, match="disk full"):
        run_score(duckdb_warehouse)
    assert scores_of(duckdb_warehouse) == before


@pytest.mark.postgres
def test_scores_agree_between_duckdb_and_postgres(trained, pg_warehouse, features):
    """Same feature rows, same model file: the probabilities agree to 1e-6 and the reasons match."""
    duckdb_warehouse = trained
    write_features(pg_warehouse, features)
    # register the very same artifacts in PostgreSQL's registry
    with duckdb_warehouse.activated() as target, Db.open(target) as db:
        active = registry.active_models(db)
    with pg_warehouse.activated() as target, Db.open(target) as db, db.transaction():
        for m in active.values():
            entry = {
                "name": m.name,
                "version": m.version,
                "horizon_days": m.horizon_days,
                "description": "copied from DuckDB",
                "storage_path": m.storage_path,
                "trained_at": dt.datetime.now(dt.UTC),
                "training_data_start": m.training_data_start,
                "training_data_end": m.training_data_end,
                "metrics": {},
            }
            registry.register(db, entry, activate=True)
    for wh in (duckdb_warehouse, pg_warehouse):
        run_score(wh)
    duck, pg = scores_of(duckdb_warehouse), scores_of(pg_warehouse)
    assert len(duck) == len(pg) > 0
    for d, p in zip(duck, pg, strict=True):
        assert d[:3] == p[:3]
        assert abs(d[3] - p[3]) <= 1e-6
        assert d[4:] == p[4:]
    # and re-scoring on PostgreSQL replaces too
    run_score(pg_warehouse)
    assert len(scores_of(pg_warehouse)) == len(pg)
