"""The dbt side of the ML layer on the shared small portfolio (conftest SMALL_PORTFOLIO).

* labels: null where the window runs past the data, and equal to what the loan
  system's delinquency history says;
* point in time: changing telemetry, payments and delinquency history on and after
  a day leaves every feature of as-of days up to that day unchanged;
* the scorer (Python, lenient as in the DuckDB pipeline) scores idempotently and
  never blocks the build when there is no model; dbt reads what it wrote;
* the same model scores the same accounts identically (1e-6) on DuckDB (lenient
  scoring) and PostgreSQL (`predelq score`).

The session warehouses are cloned before anything is written to them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import uuid

import numpy as np
import pandas as pd
import pytest
from conftest import Warehouse, make_duckdb_warehouse

from ml import config
from ml import features as feats
from ml import score as scoring
from ml import train as training
from ml.db import Db

pytestmark = pytest.mark.slow

# the models reading the scorer's tables (not the indicators further down)
ML_MODELS = ["ml_scoring_runs", "ml_delinquency_scores", "ml_drift_warnings"]


def score_and_read(wh: Warehouse) -> None:
    """Python scores (strict=False, as the DuckDB pipeline and demo do), then dbt reads the scores."""
    with wh.activated() as target, Db.open(target) as db:
        scoring.score(db, strict=False, log=lambda *_: None)
    wh.dbt("run", "-s", *ML_MODELS)


def clone_duckdb(src: Warehouse, workdir) -> Warehouse:
    wh = make_duckdb_warehouse(workdir)
    shutil.copyfile(src.env["PREDELQ_DUCKDB_PATH"], wh.env["PREDELQ_DUCKDB_PATH"])
    return wh


@contextlib.contextmanager
def clone_pg(src: Warehouse, workdir):
    """A copy of a PostgreSQL warehouse (CREATE DATABASE ... TEMPLATE), dropped on exit."""
    import psycopg2

    from predelq.db import Target

    params = {k: v for k, v in Target("pg").pg_params.items() if v != ""}
    params["dbname"] = "postgres"
    name = f"predelq_test_{uuid.uuid4().hex[:10]}"
    con = psycopg2.connect(**params)
    con.autocommit = True
    try:
        with con.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}" TEMPLATE "{src.env["PREDELQ_PG_DATABASE"]}"')
        workdir.mkdir(parents=True, exist_ok=True)
        yield Warehouse("pg", {"PREDELQ_TARGET": "pg", "PREDELQ_PG_DATABASE": name}, workdir)
    finally:
        with con.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        con.close()


def features_of(wh: Warehouse) -> pd.DataFrame:
    with wh.activated() as target, Db.open(target) as db:
        return feats.load(db)


def test_labels_are_null_where_unknowable_and_follow_the_delinquency_history(built_duckdb):
    df = features_of(built_duckdb)
    data_end = df["features_through_date"].max()
    events = built_duckdb.query(
        "select cast(account_id as varchar(36)), "
        "cast(timezone('Asia/Kolkata', triggered_at) as date) from raw.delinquency_events "
        "where event_type = 'dpd_30'"
    )
    reached: dict[str, list] = {}
    for account, day in events:
        reached.setdefault(account, []).append(pd.Timestamp(day))
    for n in config.HORIZONS:
        label = df[config.label_column(n)]
        window_end = df["as_of_date"] + pd.Timedelta(days=n - 1)
        unknowable = window_end > data_end
        assert label[unknowable].isna().all(), f"{n}d: a label past the end of the data"
        assert label[df["is_delinquent_at_as_of"]].isna().all(), f"{n}d: a label for a delinquent account"
        known = ~unknowable & ~df["is_delinquent_at_as_of"]
        assert label[known].notna().all(), f"{n}d: a knowable label is null"
        expected = [
            float(any(start <= d <= end for d in reached.get(a, [])))
            for a, start, end in zip(
                df.loc[known, "account_id"], df.loc[known, "as_of_date"], window_end[known], strict=True
            )
        ]
        assert label[known].tolist() == expected, f"{n}d labels differ from raw.delinquency_events"
    assert df[config.label_column(30)].notna().sum() > 0  # the portfolio is long enough to test 30d


def test_features_do_not_use_the_as_of_day_or_later(built_duckdb, tmp_path):
    wh = clone_duckdb(built_duckdb, tmp_path / "pit")
    before = features_of(wh)
    days = np.sort(before["as_of_date"].unique())
    cut = pd.Timestamp(days[len(days) // 2]).date()  # change everything from this local day on
    cut_utc = dt.datetime.combine(cut, dt.time()) - dt.timedelta(hours=5, minutes=30)  # Asia/Kolkata
    for sql in (
        # vehicles stop, move away, drain, and every other reading goes missing
        f"delete from raw.raw_telemetry where ts >= '{cut_utc}+00' and extract(minute from ts) % 2 = 0",
        f"update raw.raw_telemetry set speed = 0, lat = lat + 0.3, soc = 5, is_charging = false "
        f"where ts >= '{cut_utc}+00'",
        # money that arrived from the cut on arrives 15 days later; installments due from
        # the cut on are missed; the milestones from the cut on are different
        f"update raw.payments set paid_date = paid_date + 15 where paid_date >= '{cut}'",
        "update raw.payments set amount_paid = 0, paid_date = null, status = 'missed' "
        f"where due_date >= '{cut}'",
        f"delete from raw.delinquency_events where triggered_at >= '{cut_utc}+00'",
    ):
        wh.execute(sql)
    wh.dbt("run", "-s", "+ml_features_daily", "--full-refresh")
    after = features_of(wh)
    columns = [*feats.feature_columns(before.columns), "is_delinquent_at_as_of"]
    # the analyst's features of issue 12 are among those checked
    new = [
        "pay_days_late_last_installment", "pay_days_late_second_last_installment",
        "pay_days_late_third_last_installment", "pay_days_to_next_due", "pay_next_due_to_usual_payment_ratio",
        "tel_working_day_km_ratio_30d_prior_150d", "tel_working_day_active_hours_30d",
        "tel_working_day_active_hours_ratio_30d_prior_150d", "tel_z_utilisation_drop",
        "tel_z_charging_irregularity", "tel_z_data_gaps", "tel_z_low_soc_habit", "acct_season_sin",
        "acct_season_cos",
    ]  # fmt: skip
    assert set(new) <= set(columns), set(new) - set(columns)
    key = ["account_id", "as_of_date"]
    merged = before.merge(after, on=key, how="outer", suffixes=("_before", "_after"), indicator=True).copy()
    upto = merged["as_of_date"] <= pd.Timestamp(cut)
    assert (merged.loc[upto, "_merge"] == "both").all(), "account-days up to the cut appeared or vanished"
    changed_later = False
    for col in columns:
        b, a = merged[f"{col}_before"], merged[f"{col}_after"]
        same = (b == a) | (b.isna() & a.isna())
        if col != "is_delinquent_at_as_of":
            same |= np.isclose(b.astype(float), a.astype(float), rtol=0, atol=1e-9)
        bad = merged.loc[upto & ~same, [*key, f"{col}_before", f"{col}_after"]]
        assert bad.empty, (
            f"{col} changed for as-of days up to {cut} after changing data from {cut} on:\n{bad}"
        )
        changed_later |= bool((~same[~upto & (merged["_merge"] == "both")]).any())
    assert changed_later, (
        "the changes after the cut did not reach the features at all: the test proves nothing"
    )


def fixed_model(df: pd.DataFrame) -> dict:
    """A pre-delinquency model fitted on these features with made-up outcomes (the small portfolio
    has too few delinquencies to train on): it only has to be the same model on both engines."""
    from ml import model as mdl

    features = feats.feature_columns(df.columns)
    rows = df.loc[~df["is_delinquent_at_as_of"]].copy()
    km = rows["tel_km_per_vehicle_avg_7d"]
    t = np.where((km < km.median()) | (rows["pay_days_past_due"] > 0), 20.0, np.nan)
    X = feats.matrix(rows, features)
    core = mdl.Core("hazard_hgb", features).fit(X, t, np.full(len(rows), 400.0))
    model = mdl.PreDelinquencyModel(core, {}, training._medians(X))
    day = rows["as_of_date"]
    return {
        "kind": training.PRE_DELINQUENCY,
        "model": model,
        "horizons": list(config.HORIZONS),
        "metrics": {"auc": None, "algorithm": "hazard_hgb", "calibration": "none", "features": len(features)},
        "active": True,
        "reference": training.build_reference(lambda f: model.predict(f)[90], rows, features),
        "start": day.min().date(),
        "end": day.max().date(),
    }


def register(wh: Warehouse, entry: dict, folder) -> None:
    with wh.activated() as target, Db.open(target) as db:
        training.save_and_register(db, [entry], folder)


def scores_of(wh: Warehouse) -> list[tuple]:
    return wh.query(
        "select cast(account_id as varchar(36)), as_of_date, horizon_days, probability, model_name, "
        "model_version, top_reasons from ml.ml_delinquency_scores order by 1, 2, 3"
    )


def test_the_scorer_never_blocks_the_build_and_rescoring_is_idempotent(built_duckdb, tmp_path):
    wh = clone_duckdb(built_duckdb, tmp_path / "dbt")
    score_and_read(wh)  # no model yet: the build goes on
    assert wh.query("select horizon_days, status from ml.ml_scoring_runs order by 1") == [
        (30, "not_scored"),
        (90, "not_scored"),
        (180, "not_scored"),
    ]
    register(wh, fixed_model(features_of(wh)), tmp_path / "artifacts")
    score_and_read(wh)
    once = scores_of(wh)
    latest = wh.scalar("select max(as_of_date) from ml.ml_features_daily")
    eligible = "pay_days_past_due = 0 and not is_delinquent_at_as_of"
    every_day = wh.scalar(f"select count(*) from ml.ml_features_daily where {eligible}")
    on_latest = wh.scalar(
        f"select count(*) from ml.ml_features_daily where as_of_date = '{latest}' and {eligible}"
    )
    assert len([r for r in once if r[2] == 30]) == every_day > on_latest > 0  # the whole history
    assert max(r[1] for r in once) == latest
    assert wh.query("select status, accounts_scored from ml.ml_scoring_runs where horizon_days = 30") == [
        ("scored", on_latest)
    ]
    score_and_read(wh)
    assert scores_of(wh) == once


@pytest.mark.postgres
def test_scores_written_on_duckdb_and_postgres_agree(built_duckdb, built_pg, tmp_path):
    duck = clone_duckdb(built_duckdb, tmp_path / "duck")
    with clone_pg(built_pg, tmp_path / "pg") as pg:
        on_duck, on_pg = features_of(duck), features_of(pg)
        assert len(on_duck) == len(on_pg) > 0
        columns = feats.feature_columns(on_duck.columns)
        assert columns == feats.feature_columns(on_pg.columns)
        np.testing.assert_allclose(
            on_duck[columns].to_numpy(float),
            on_pg[columns].to_numpy(float),
            rtol=0,
            atol=1e-9,
            equal_nan=True,
        )
        model = fixed_model(on_duck)
        register(duck, model, tmp_path / "artifacts")  # the same file is registered on both engines
        register(pg, model, tmp_path / "artifacts")
        score_and_read(duck)  # DuckDB: as its pipeline scores
        assert pg.cli("score") == 0  # PostgreSQL: the CLI
        pg.dbt("run", "-s", "ml_delinquency_scores")
        d, p = scores_of(duck), scores_of(pg)
        assert len(d) == len(p) > 0
        for a, b in zip(d, p, strict=True):
            assert a[:3] == b[:3]
            assert abs(a[3] - b[3]) <= 1e-6, (a, b)
            assert a[4:] == b[4:]
        assert pg.cli("score") == 0  # re-scoring replaces
        assert len(scores_of(pg)) == len(p)
