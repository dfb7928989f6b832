"""Training, the registry and the daily score history on both engines, on a small synthetic feature table.

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
from ml import model as mdl
from ml import score as scoring
from ml import train as training
from ml.db import Db
from predelq.errors import UserError

N_ACCOUNTS, N_DAYS, START = 150, 260, dt.date(2026, 1, 1)
FEATURES = [
    "pay_days_past_due", "pay_prior_dpd30_episodes", "pay_bounces_90d", "tel_km_7d", "tel_idle_days_30d",
    "acct_tenure_months",
]  # fmt: skip
LABELS = ["label_days_to_dpd30", "label_days_observed", "label_roll_dpd30"]


def synthetic_features(seed: int = 0) -> pd.DataFrame:
    """Half the accounts drift towards a 30+ DPD day (an unpaid installment 30 days before it); a
    third of the others have a short spell of arrears that cures. Labels as the dbt model makes them."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(N_ACCOUNTS):
        account = str(uuid.UUID(int=rng.integers(1, 2**62).item()))
        bad_day = int(rng.integers(60, N_DAYS + 60)) if i % 2 == 0 else None
        cure = (int(rng.integers(20, N_DAYS - 20)), int(rng.integers(3, 15))) if i % 6 == 1 else None
        for t in range(N_DAYS):
            to_go = (bad_day - t) if bad_day is not None else 10**6
            stress = float(np.clip(1 - to_go / 90, 0, 1))
            dpd = (
                30 - to_go
                if 0 < to_go <= 30
                else (t - bad_day + 30 if bad_day is not None and t > bad_day else 0)
            )
            if cure and cure[0] <= t < cure[0] + cure[1]:
                dpd = t - cure[0] + 1
            row = {
                "account_id": account,
                "as_of_date": START + dt.timedelta(days=t),
                "is_delinquent_at_as_of": bad_day is not None and t > bad_day,
                "pay_days_past_due": float(dpd),
                "pay_prior_dpd30_episodes": float(bad_day is not None and t > bad_day),
                "pay_bounces_90d": float(rng.poisson(0.3 + 2 * stress)),
                "tel_km_7d": float(rng.normal(50 - 25 * stress, 8)),
                "tel_idle_days_30d": float(rng.poisson(1 + 4 * stress)) if t % 17 else np.nan,
                "acct_tenure_months": float(24 + i % 4 * 12),
                "label_days_to_dpd30": float(bad_day - t) if bad_day is not None and t <= bad_day else np.nan,
                "label_days_observed": float(N_DAYS - t),
                "label_roll_dpd30": (
                    (1.0 if 0 < to_go < 30 else (0.0 if cure and dpd > 0 else np.nan))
                    if 0 < dpd < 30
                    else np.nan
                ),
            }
            for h in config.HORIZONS:
                known = t + h - 1 < N_DAYS and not row["is_delinquent_at_as_of"]
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
        cols += [f"{c} double precision" for c in LABELS]
        db.execute(f"create table {config.FEATURES_TABLE} ({', '.join(cols)})")
        names = [c.split()[0] for c in cols]
        values = [
            [None if isinstance(v, float) and np.isnan(v) else v for v in row]
            for row in df[names].astype(object).itertuples(index=False, name=None)
        ]
        db.insert_rows(config.FEATURES_TABLE, names, values)
    wh.dbt("seed", "-s", "risk_settings")  # the PSI cut and the minimum AUC


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
    """A DuckDB warehouse with the features and active models, trained once."""
    from conftest import make_duckdb_warehouse, warehouse_env

    wh = make_duckdb_warehouse(tmp_path_factory.mktemp("ml_trained"))
    write_features(wh, features)
    with warehouse_env(PREDELQ_ML_ARTIFACTS=str(wh.workdir / "artifacts")):
        train_on(wh)
    return wh


@pytest.fixture
def trained(trained_template, duckdb_warehouse):
    """A fresh copy of the trained template (the artifacts are shared, read-only)."""
    import shutil

    source = Path(trained_template.env["PREDELQ_DUCKDB_PATH"])
    copy = Path(duckdb_warehouse.env["PREDELQ_DUCKDB_PATH"])
    shutil.copyfile(source, copy)
    wal = source.with_name(source.name + ".wal")  # dbt (risk_settings seed) keeps the database open
    if wal.exists():
        shutil.copyfile(wal, copy.with_name(copy.name + ".wal"))
    return duckdb_warehouse


def train_on(wh, horizons=config.HORIZONS) -> list[dict]:
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


def test_train_registers_one_consistent_model_and_a_roll_forward_model(trained, artifacts):
    wh = trained
    rows = wh.query(
        "select horizon_days, count(*), sum(case when is_active then 1 else 0 end), "
        "count(distinct storage_path) from ml.model_registry group by 1 order by 1"
    )
    assert rows == [(0, 1, 1, 1), (30, 1, 1, 1), (90, 1, 1, 1), (180, 1, 1, 1)]
    paths = {p for (p,) in wh.query("select storage_path from ml.model_registry where horizon_days > 0")}
    assert len(paths) == 1  # one artifact gives all three horizons
    metrics = json.loads(
        wh.scalar("select cast(metrics as varchar) from ml.model_registry where horizon_days = 90")
    )
    assert metrics["algorithm"] in mdl.ALGORITHMS and metrics["calibration"] in mdl.CALIBRATIONS
    assert set(metrics["validation_auc"]) <= set(mdl.ALGORITHMS) and metrics["auc"] > 0.7
    assert "current" in metrics["population"]
    assert all(Path(p).exists() for (p,) in wh.query("select storage_path from ml.model_registry"))
    # training again adds v2 and moves the active flag, never two active per horizon
    train_on(wh)
    assert wh.query(
        "select horizon_days, count(*) from ml.model_registry where is_active group by 1 order by 1"
    ) == [(0, 1), (30, 1), (90, 1), (180, 1)]
    assert {v for (v,) in wh.query("select version from ml.model_registry where is_active")} == {"v2"}
    assert len(list(artifacts.iterdir())) == 2


def test_person_periods_follow_the_event_and_the_censoring():
    t = np.array([np.nan, 5.0, 40.0, np.nan, 170.0])
    c = np.array([400.0, 400.0, 400.0, 75.0, 400.0])
    rows, periods, y = mdl.person_periods(t, c)
    got = sorted(zip(rows.tolist(), periods.tolist(), y.tolist(), strict=True))
    assert [g for g in got if g[0] == 0] == [(0, k, 0) for k in range(6)]  # no event: six negatives
    assert [g for g in got if g[0] == 1] == [(1, 0, 1)]  # event in the first period, nothing after
    assert [g for g in got if g[0] == 2] == [(2, 0, 0), (2, 1, 1)]
    assert [g for g in got if g[0] == 3] == [(3, 0, 0), (3, 1, 0)]  # censored after 75 days
    assert [g for g in got if g[0] == 4][-1] == (4, 5, 1)


def test_probabilities_never_contradict_each_other_across_horizons(trained):
    run_score(trained)
    rows = trained.query(
        "select account_id, as_of_date, "
        "max(case when horizon_days = 30 then probability end), "
        "max(case when horizon_days = 90 then probability end), "
        "max(case when horizon_days = 180 then probability end) "
        "from ml.delinquency_scores where horizon_days > 0 group by 1, 2"
    )
    assert len(rows) > 10_000
    assert all(p30 <= p90 <= p180 for _, _, p30, p90, p180 in rows)
    assert max(r[4] for r in rows) > 0.5


def test_the_score_history_covers_every_day_and_a_new_day_equals_a_full_rescore(trained, features):
    wh = trained
    last = features["as_of_date"].max()
    # first run: every day, scored at DPD 0 (pre-delinquency) or 1-29 DPD (roll-forward)
    with wh.activated() as target, Db.open(target) as db:
        db.execute(f"delete from {config.FEATURES_TABLE} where as_of_date = %s", [last.date()])
    summary = run_score(wh)
    assert set(summary["status"]) == {"scored"}
    # drift compares the day with the training rows of its own month: a steady portfolio does not warn
    assert (summary["features_drifted"] == 0).all(), summary[
        ["horizon_days", "features_drifted", "score_psi"]
    ]
    days = wh.scalar("select count(distinct as_of_date) from ml.delinquency_scores")
    assert days == N_DAYS - 1
    dpd0 = features[(features["pay_days_past_due"] == 0) & (features["as_of_date"] < last)]
    assert wh.scalar("select count(*) from ml.delinquency_scores where horizon_days = 90") == len(dpd0)
    roll = features[(features["pay_days_past_due"].between(1, 29)) & ~features["is_delinquent_at_as_of"]]
    assert wh.scalar("select count(*) from ml.delinquency_scores where horizon_days = 0") == len(
        roll[roll["as_of_date"] < last]
    )
    # a new day arrives: only the last few days are rescored, and the new day equals a full rescore
    write_features(wh, features)
    summary = run_score(wh)
    assert set(summary["days_scored"]) == {scoring.RESCORE_DAYS + 1}
    incremental = [r for r in scores_of(wh) if r[1] == last.date()]
    run_score(wh, full=True)
    full = [r for r in scores_of(wh) if r[1] == last.date()]
    assert len(incremental) == len(full) > 0
    for a, b in zip(incremental, full, strict=True):
        assert a[:3] == b[:3] and abs(a[3] - b[3]) < 1e-12 and a[4:] == b[4:]
    # scoring again without new data writes the same rows once
    before = scores_of(wh)
    run_score(wh)
    assert scores_of(wh) == before


def test_reasons_exist_for_every_alerted_account(trained):
    wh = trained
    run_score(wh)
    rows = wh.query(
        "select as_of_date, probability, top_reasons from ml.delinquency_scores where horizon_days = 90"
    )
    frame = pd.DataFrame(rows, columns=["day", "p", "why"])
    frame["rank"] = frame.groupby("day")["p"].rank(ascending=False, method="min")
    frame["n"] = frame.groupby("day")["p"].transform("size")
    alerted = frame[frame["rank"] <= np.ceil(scoring.ALERT_SHARE * frame["n"])]
    assert len(alerted) > 100
    assert (alerted["why"].fillna("") != "").mean() > 0.99, alerted[alerted["why"].fillna("") == ""].head()
    assert all(len(w.split("; ")) <= 3 for w in alerted["why"] if w)
    latest = frame[frame["day"] == frame["day"].max()]
    assert latest["why"].notna().all()  # every account of the latest day has its reasons (maybe none)
    low = latest.sort_values("p").iloc[0]
    assert low["why"] == ""  # a probability near zero has nothing pushing it up


def test_scoring_without_an_active_model_fails_and_writes_nothing(trained, capsys):
    wh = trained
    active_30d = wh.scalar(
        "select cast(id as varchar(36)) from ml.model_registry where is_active and horizon_days = 30"
    )
    wh.execute("update ml.model_registry set is_active = false")
    with pytest.raises(UserError, match=r"no active model for horizon\(s\) 30d, 90d, 180d"):
        run_score(wh)
    assert wh.cli("score") == 2
    assert "no active model" in capsys.readouterr().err
    wh.execute(f"update ml.model_registry set is_active = true where id = '{active_30d}'")
    with pytest.raises(UserError, match=r"no active model for horizon\(s\) 90d"):
        run_score(wh, horizons=[30, 90])
    assert wh.scalar("select count(*) from ml.delinquency_scores") == 0
    # by default every horizon with an active model is scored; the others are reported
    summary = run_score(wh)
    assert dict(zip(summary["horizon_days"], summary["status"], strict=True)) == {
        30: "scored",
        90: "not_scored",
        180: "not_scored",
    }


def test_missing_feature_column_fails_naming_it_and_keeps_old_scores(trained):
    wh = trained
    run_score(wh)
    before = scores_of(wh)
    wh.execute("alter table ml.ml_features_daily drop column tel_km_7d")
    with pytest.raises(UserError, match="lacks column.*tel_km_7d"):
        run_score(wh)
    assert scores_of(wh) == before
    # not strict (the DuckDB pipeline and demo) the horizons are skipped with the reason instead
    summary = run_score(wh, strict=False)
    assert set(summary["status"]) == {"not_scored"}
    assert "tel_km_7d" in summary["message"].iloc[0]
    assert scores_of(wh) == before


def test_a_failed_write_leaves_no_day_half_written(trained, monkeypatch):
    wh = trained
    run_score(wh)
    before = scores_of(wh)
    real = scoring.Db.insert_rows
    calls = []

    def fail_on_third(self, table, columns, rows):
        calls.append(table)
        if len(calls) == 3:  # two horizons of the first chunk written, the third fails
            raise RuntimeError("disk full")
        return real(self, table, columns, rows)

    monkeypatch.setattr(scoring.Db, "insert_rows", fail_on_third)
    with pytest.raises(RuntimeError, match="disk full"):
        run_score(wh, full=True)
    assert scores_of(wh) == before


@pytest.mark.postgres
def test_scores_agree_between_duckdb_and_postgres(trained, pg_warehouse, features):
    """Same feature rows, same model file: the probabilities agree to 1e-6 and the reasons match."""
    wh = trained
    write_features(pg_warehouse, features)
    # register the very same artifacts in PostgreSQL's registry
    with wh.activated() as target, Db.open(target) as db:
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
    for target_wh in (wh, pg_warehouse):
        run_score(target_wh)
    duck, pg = scores_of(wh), scores_of(pg_warehouse)
    assert len(duck) == len(pg) > 0
    for d, p in zip(duck, pg, strict=True):
        assert d[:3] == p[:3]
        assert abs(d[3] - p[3]) <= 1e-6
        assert d[4:] == p[4:]
    # reasons for every alerted account on PostgreSQL too (the day's top 5% at 90 days)
    missing = pg_warehouse.scalar(
        "select count(*) from (select top_reasons, rank() over (partition by as_of_date "
        "order by probability desc) as rank_in_day, count(*) over (partition by as_of_date) as n "
        "from ml.delinquency_scores where horizon_days = 90) s "
        "where rank_in_day <= ceil(0.05 * n) and (top_reasons is null or top_reasons = '')"
    )
    alerted = pg_warehouse.scalar(
        "select count(*) from (select rank() over (partition by as_of_date order by probability desc) "
        "as rank_in_day, count(*) over (partition by as_of_date) as n from ml.delinquency_scores "
        "where horizon_days = 90) s where rank_in_day <= ceil(0.05 * n)"
    )
    assert alerted > 100 and missing <= 0.01 * alerted, (missing, alerted)
    # monotone on PostgreSQL too
    bad = pg_warehouse.scalar(
        "select count(*) from (select account_id, as_of_date, "
        "max(case when horizon_days = 30 then probability end) as p30, "
        "max(case when horizon_days = 90 then probability end) as p90, "
        "max(case when horizon_days = 180 then probability end) as p180 "
        "from ml.delinquency_scores where horizon_days > 0 group by 1, 2) s where p30 > p90 or p90 > p180"
    )
    assert bad == 0
    # and re-scoring on PostgreSQL replaces too
    run_score(pg_warehouse, full=True)
    assert len(scores_of(pg_warehouse)) == len(pg)
