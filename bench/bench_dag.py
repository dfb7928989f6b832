"""The whole daily DAG: one new day of 3,000 vehicles through load -> dbt build -> scoring.

Issue 13's goal: one new day through the whole DAG in at most 6x (PostgreSQL) and
4x (DuckDB) the hand-written metrics query (bench/sql/asset_day_handwritten.sql)
of the same engine and day, measured in the same run.

Setup, on each engine (a fresh DuckDB file; a fresh PostgreSQL database when
ctx.pg): BENCH_DAG_ASSETS (3000) vehicles x BENCH_DAG_HISTORY_DAYS (30) days of
history plus the new day are simulated (seed 5, ending 2026-10-31, a reading every
BENCH_DAG_STEP minutes: 10 by default, the product's 1 under BENCH_LARGE=1). The
new local day's telemetry is written to a CSV (the loader's columns) and taken out
of raw; the history is built by `predelq dbt build` (every model, seed, snapshot and
data test), the active delinquency models are registered and the history is scored
as the pipeline does.

30 days hold no 90- or 180-day outcomes to learn from (`predelq train` on them
registers a model whose validation AUC is undefined, never activated), so the
models are trained once (`predelq train`, PREDELQ_ML_MIN_AUC=0 as in bench_ml: the
bench measures cost, not quality) on the demo portfolio (450 vehicles x 240 days, readings every 10
minutes, as bench_ml does) and their active registry rows are copied into each
bench warehouse (the artifacts are shared files): the same models a lender's
longer history would give, scoring the 3,000-vehicle book.

Then the three steps a user (or `predelq pipeline`) runs for the new day, each a
child process, timed wall-clock (start-up included):

(a) `predelq load <the day's CSV>` (parse, check, resolve, de-duplicate, write);
(b) `predelq dbt build` (incremental: staging, metrics, indicators, events, ML
    features, marts, with every data test; unit tests excluded: they pin the
    interval var at its 1-minute default), with the pipeline's data-test scope
    (PREDELQ_PIPELINE_TEST_DAYS, default every row; predelq.dbt.pipeline_test_vars,
    docs/decisions.md D30). dbt's own run time, its start-up (parse, connect) and
    the time in tests are in the note;
(c) scoring as the pipeline's score step does it: `predelq score`, then
    `predelq dbt build` of the models that read the scores
    (ml.pipeline.SCORE_READERS), on both engines.

After the DAG, `predelq dbt test` runs twice on the same warehouse, with the
tests of day-keyed models scoped to their last BENCH_DAG_TEST_DAYS (7) days and
over every row, and the two are reported side by side.

The hand-written query then computes the same day's per-asset aggregates from raw
on the same database (CREATE TABLE AS, median of BENCH_DAG_HAND_REPEAT (2) runs);
its rows are checked to equal dbt's int_telemetry_aggregated_daily for the day
before any ratio is reported. `ratio` on the DAG row = (a)+(b)+(c) seconds /
hand-written seconds. The loan book's rows for the new day are written by the
simulator with the history (only telemetry arrives as a file); the great-
expectations `check` and `publish` (docs) steps of the pipeline are not timed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import statistics
import sys
import time
import uuid
from pathlib import Path

from bench.bench_metrics import (
    COMPARED,
    END,
    SAME,
    SEED,
    _check_equal,
    _duck,
    _env,
    _handwritten_sql,
    _local_midnight_utc,
    _measured,
    _pg_connect,
    _rows_by_asset,
    _slowest,
)
from bench.bench_simulate import _drop_pg_database

ASSETS = int(os.environ.get("BENCH_DAG_ASSETS", "3000"))
HISTORY_DAYS = int(os.environ.get("BENCH_DAG_HISTORY_DAYS", "30"))
HAND_REPEAT = int(os.environ.get("BENCH_DAG_HAND_REPEAT", "2"))
CLI = [sys.executable, "-m", "predelq.cli"]
LOADER_COLUMNS = "device_id, ts, lat, lon, soc, odometer, speed, is_charging"


def _step(ctx) -> int:
    return int(os.environ.get("BENCH_DAG_STEP", "1" if ctx.large else "10"))


# --------------------------------------------------------------------------- one engine's connection
class _Warehouse:
    """Plain SQL on the bench warehouse, between the child processes (DuckDB: one writer)."""

    def __init__(self, engine: str, where: str):
        self.engine, self.where = engine, where

    def __enter__(self):
        self.con = _duck(Path(self.where)) if self.engine == "duckdb" else _pg_connect(self.where)
        self.cur = self.con if self.engine == "duckdb" else self.con.cursor()
        return self

    def __exit__(self, *exc):
        self.con.close()

    def execute(self, sql: str):
        self.cur.execute(sql)
        return self

    def fetchall(self):
        return self.cur.fetchall()

    def scalar(self, sql: str):
        return self.execute(sql).cur.fetchone()[0]


def _hold_out_new_day(wh: _Warehouse, day_start: dt.datetime, csv: Path) -> int:
    """Write the new day's telemetry to a CSV in the loader's columns and take it out of raw."""
    where = f"ts >= cast('{day_start.isoformat()}' as timestamptz) and device_id is not null"
    if wh.engine == "duckdb":
        stamp = "strftime(ts, '%Y-%m-%dT%H:%M:%SZ')"
        cols = LOADER_COLUMNS.replace("ts,", f"{stamp} as ts,")
        wh.execute(
            f"copy (select {cols} from raw.raw_telemetry where {where} order by ts, device_id) "
            f"to '{csv}' (format csv, header true)"
        )
    else:
        stamp = """to_char(ts at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""
        cols = LOADER_COLUMNS.replace("ts,", f"{stamp} as ts,")
        with open(csv, "w") as fh:
            wh.cur.copy_expert(
                f"copy (select {cols} from raw.raw_telemetry where {where} order by ts, device_id) "
                "to stdout with (format csv, header true)",
                fh,
            )
    rows = wh.scalar(f"select count(*) from raw.raw_telemetry where {where}")
    wh.execute(f"delete from raw.raw_telemetry where {where}")
    wh.execute("checkpoint" if wh.engine == "duckdb" else "vacuum analyze raw.raw_telemetry")
    return rows


def _pipeline_scope() -> dict:
    """The vars the pipeline adds to its builds (the data-test scope), as a dict."""
    from predelq.dbt import pipeline_test_vars

    scope = pipeline_test_vars()
    return json.loads(scope[1]) if scope else {}


def _dbt_build(env: dict, *args: str, command: str = "build") -> dict:
    """`predelq dbt build ...` (or `command`) in a child process; dbt's elapsed time and per-node times."""
    m = _measured([*CLI, "dbt", command, *args], env, check=False)
    results = json.loads((Path(env["DBT_TARGET_PATH"]) / "run_results.json").read_text())
    # a failing data test is reported (note), not fatal: the bench measures cost; anything
    # else that did not succeed (a model error) stops it
    m["failed_tests"] = sorted(
        r["unique_id"].split(".")[-2] if r["unique_id"].count(".") > 2 else r["unique_id"]
        for r in results["results"]
        if r["unique_id"].startswith("test.") and r["status"] in ("fail", "error")
    )
    broken = [
        r["unique_id"]
        for r in results["results"]
        if not r["unique_id"].startswith("test.") and r["status"] == "error"
    ]
    if m["exit"] and (broken or not m["failed_tests"]):
        tail = (Path(env["DBT_LOG_PATH"]).parent / "child.out").read_text()[-3000:]
        raise RuntimeError(f"predelq dbt {command} {' '.join(args[:3])}... failed:\n{tail}")
    m["elapsed"] = results["elapsed_time"]
    m["nodes"] = len(results["results"])
    m["models"] = {
        r["unique_id"].split(".")[-1]: r["execution_time"]
        for r in results["results"]
        if r["unique_id"].startswith("model.")
    }
    m["tests_s"] = sum(r["execution_time"] for r in results["results"] if r["unique_id"].startswith("test."))
    m["tests"] = sum(1 for r in results["results"] if r["unique_id"].startswith("test."))
    return m


def _failed_note(tests: list[str]) -> str:
    if not tests:
        return "; every data test passed"
    return f"; {len(tests)} data test(s) FAILED (reported, not fatal): {', '.join(tests)}"


def _score(env: dict, engine: str, vars_: str) -> dict:
    """The pipeline's score step: `predelq score`, then the score readers' build."""
    from ml.pipeline import SCORE_READERS

    m = _measured([*CLI, "score"], env)
    readers = _dbt_build(env, "-s", *SCORE_READERS, "--vars", vars_, "--exclude-resource-type", "unit_test")
    m["readers_s"] = readers["seconds"]
    m["failed_tests"] = readers["failed_tests"]
    m["seconds"] += readers["seconds"]
    m["peak_mb"] = max(m["peak_mb"], readers["peak_mb"])
    return m


def _train_models(ctx) -> tuple[list[dict], float]:
    """Train on the demo portfolio (DuckDB); the active registry rows and the seconds it took."""
    work = ctx.workdir / "dag_training"
    (work / "logs").mkdir(parents=True, exist_ok=True)
    db = work / "training.duckdb"
    env = _env(
        work,
        "dev",
        PREDELQ_DUCKDB_PATH=str(db),
        PREDELQ_ML_ARTIFACTS=str(ctx.workdir / "dag_models"),
        PREDELQ_ML_MIN_AUC="0",
    )
    vars_ = json.dumps({"telemetry_expected_interval_minutes": 10, "ml_indicators_enabled": False})
    t0 = time.perf_counter()
    _measured([*CLI, "simulate", "--minute-step", "10", "--no-progress", "--no-oracle"], env)
    _measured([*CLI, "dbt", "seed", "--vars", vars_, "--quiet"], env)
    _measured([*CLI, "dbt", "run", "--select", "+ml_features_daily", "--vars", vars_, "--quiet"], env)
    _measured([*CLI, "train"], env)
    seconds = time.perf_counter() - t0
    with _Warehouse("duckdb", str(db)) as wh:
        # horizon 0 (the roll-forward model) left out: with it active, scores of horizon 0 reach
        # ml.delinquency_scores and dbt's accepted_values test (30, 90, 180) fails the build
        wh.execute("select * from ml.model_registry where is_active and horizon_days > 0")
        names = [d[0] for d in wh.cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in wh.fetchall()]
    db.unlink()
    if not rows:
        raise RuntimeError("training on the demo portfolio activated no model")
    return rows, seconds


def _install_models(wh: _Warehouse, rows: list[dict]) -> None:
    """The trained models' registry rows, active, in this warehouse's ml.model_registry."""
    from ml.db import Db

    db = Db(wh.con, wh.engine)
    db.ensure_ml_schema()
    for row in rows:
        values = [str(v) if isinstance(v, uuid.UUID) else v for v in row.values()]
        marks = ", ".join(["%s"] * len(values))
        db.execute(f"insert into ml.model_registry ({', '.join(row)}) values ({marks})", values)


def _dag(ctx, engine: str, models: list[dict]) -> list[dict]:
    step = _step(ctx)
    target = "dev" if engine == "duckdb" else "pg"
    work = ctx.workdir / f"dag_{engine}"
    work.mkdir(parents=True, exist_ok=True)
    (work / "logs").mkdir(exist_ok=True)
    if engine == "duckdb":
        where = str(work / "warehouse.duckdb")
        extra = {"PREDELQ_DUCKDB_PATH": where}
    else:
        where = f"predelq_bench_dag_{uuid.uuid4().hex[:8]}"
        extra = {"PREDELQ_PG_DATABASE": where}
    env = _env(
        work,
        target,
        **extra,
        PREDELQ_ML_ARTIFACTS=str(work / "artifacts"),
        # the bench measures cost, not quality: activate what it trains (bench_ml does the same)
        PREDELQ_ML_MIN_AUC="0",
    )
    vars_ = json.dumps({"telemetry_expected_interval_minutes": step})
    build_args = ["--vars", vars_, "--exclude-resource-type", "unit_test"]
    # the new day as the pipeline runs it (its data-test scope: every row unless
    # PREDELQ_PIPELINE_TEST_DAYS is set)
    day_vars = json.dumps({"telemetry_expected_interval_minutes": step, **_pipeline_scope()})
    day_args = ["--vars", day_vars, "--exclude-resource-type", "unit_test"]
    day_start = _local_midnight_utc(END)
    csv = work / f"telemetry_{END.isoformat()}.csv"
    size = f"{ASSETS} vehicles, {HISTORY_DAYS} days of history, reading every {step} min"
    try:
        # ---- setup: history built, models trained and the history scored
        t0 = time.perf_counter()
        sim = _measured(
            [*CLI, "simulate", "--assets", str(ASSETS), "--days", str(HISTORY_DAYS + 1),
             "--minute-step", str(step), "--seed", SEED, "--end-date", END.isoformat(),
             "--no-progress", "--no-oracle"],
            env,
        )  # fmt: skip
        with _Warehouse(engine, where) as wh:
            held = _hold_out_new_day(wh, day_start, csv)
        history = _dbt_build(env, *build_args)
        with _Warehouse(engine, where) as wh:
            _install_models(wh, models)
        _score(env, engine, vars_)
        setup_s = time.perf_counter() - t0

        # ---- the new day, as the pipeline runs it
        load = _measured([*CLI, "load", "--no-progress", str(csv)], env)
        with _Warehouse(engine, where) as wh:
            since = f"cast('{day_start.isoformat()}' as timestamptz)"
            loaded = wh.scalar(f"select count(*) from raw.raw_telemetry where ts >= {since}")
        build = _dbt_build(env, *day_args)
        score = _score(env, engine, day_vars)
        scope_days = int(os.environ.get("BENCH_DAG_TEST_DAYS", "7"))
        scoped_vars = json.dumps(
            {"telemetry_expected_interval_minutes": step, "data_tests_recent_days": scope_days}
        )
        tests_scoped = _dbt_build(
            env, "--vars", scoped_vars, "--exclude-resource-type", "unit_test", command="test"
        )
        tests_all = _dbt_build(env, *build_args, command="test")
        with _Warehouse(engine, where) as wh:
            scored = wh.scalar(
                "select count(*) from ml.delinquency_scores "
                "where as_of_date = (select max(as_of_date) from ml.delinquency_scores)"
            )
            asset_days = wh.scalar(
                f"select count(*) from intermediate.int_telemetry_aggregated_daily where local_date = '{END}'"
            )

        # ---- the hand-written metrics query of the same day, same database
        sql = _handwritten_sql(END, interval_minutes=step)
        hand_runs = []
        table = "main.handwritten_day" if engine == "duckdb" else "public.handwritten_day"
        with _Warehouse(engine, where) as wh:
            for _ in range(max(1, HAND_REPEAT)):
                wh.execute(f"drop table if exists {table}")
                t1 = time.perf_counter()
                wh.execute(f"create table {table} as {sql}")
                hand_runs.append(time.perf_counter() - t1)
            cols = ", ".join(COMPARED)
            mine = wh.execute(
                f"select asset_id, {cols} from intermediate.int_telemetry_aggregated_daily "
                f"where local_date = '{END}'"
            ).fetchall()
            hand = wh.execute(f"select asset_id, {cols} from {table}").fetchall()
            wh.execute(f"drop table {table}")
        checked = _check_equal(_rows_by_asset(mine), _rows_by_asset(hand)) or SAME
        hand_s = statistics.median(hand_runs)
        dag_s = load["seconds"] + build["seconds"] + score["seconds"]
        startup = build["seconds"] - build["elapsed"]
        equal = checked.startswith("same")
        ratio_goal = 4 if engine == "duckdb" else 6
        out = [
            {
                "name": f"new day, hand-written metrics query ({ASSETS} vehicles)",
                "engine": engine,
                "seconds": round(hand_s, 2),
                "rows": loaded,
                "rows_per_s": round(loaded / hand_s),
                "note": f"CREATE TABLE AS, median of {len(hand_runs)}: "
                + ", ".join(f"{s:.2f}" for s in hand_runs)
                + f"; {len(hand)} asset rows; vs dbt's int_telemetry_aggregated_daily: {checked}",
            },
            {
                "name": f"new day, (a) predelq load ({ASSETS} vehicles)",
                "engine": engine,
                "seconds": round(load["seconds"], 2),
                "rows": loaded,
                "rows_per_s": round(loaded / load["seconds"]),
                "peak_mb": round(load["peak_mb"]),
                "note": f"the day's CSV ({held:,} rows taken out of raw, {csv.stat().st_size / 1e6:.0f} MB); "
                "child process, start-up included",
            },
            {
                "name": "new day, (b) predelq dbt build, incremental, with data tests",
                "engine": engine,
                "seconds": round(build["seconds"], 2),
                "rows": asset_days,
                "peak_mb": round(build["peak_mb"]),
                "note": f"{build['nodes']} nodes; dbt elapsed {build['elapsed']:.1f}s + start-up (parse, "
                f"connect) {startup:.1f}s; {build['tests']} data tests (their own times add up to "
                f"{build['tests_s']:.1f}s over the 2 threads); "
                f"rows = asset-days of the new day; slowest: {_slowest(build['models'])}"
                + _failed_note(build["failed_tests"]),
            },
            {
                "name": f"data tests after the new day: day-keyed models, last {scope_days} days vs all",
                "engine": engine,
                "seconds": round(tests_scoped["seconds"], 2),
                "ratio": round(tests_scoped["seconds"] / tests_all["seconds"], 2),
                "note": f"`predelq dbt test`, data_tests_recent_days={scope_days}: "
                f"{tests_scoped['seconds']:.1f}s (own times {tests_scoped['tests_s']:.1f}s) "
                f"vs every row {tests_all['seconds']:.1f}s (own times {tests_all['tests_s']:.1f}s); "
                f"{tests_all['tests']} data tests; ratio = scoped / every row"
                + _failed_note(tests_scoped["failed_tests"] + tests_all["failed_tests"]),
            },
            {
                "name": "new day, (c) scoring (predelq score + score readers' dbt build)",
                "engine": engine,
                "seconds": round(score["seconds"], 2),
                "rows": scored,
                "peak_mb": round(score["peak_mb"]),
                "note": "rows = scores of the latest as-of day; "
                f"score readers' build {score['readers_s']:.1f}s" + _failed_note(score["failed_tests"]),
            },
            {
                "name": f"new day, whole DAG (a)+(b)+(c) ({size})",
                "engine": engine,
                "seconds": round(dag_s, 2),
                "rows": loaded,
                "rows_per_s": round(loaded / dag_s),
                "peak_mb": round(max(load["peak_mb"], build["peak_mb"], score["peak_mb"])),
                "ratio": round(dag_s / hand_s, 2) if equal else None,
                "note": f"ratio = DAG seconds / hand-written seconds (goal <= {ratio_goal}); "
                f"load {load['seconds']:.1f}s, build {build['seconds']:.1f}s (dbt start-up "
                f"{startup:.1f}s), score {score['seconds']:.1f}s; without dbt start-up "
                f"{(dag_s - startup) / hand_s:.1f}x",
            },
            {
                "name": f"setup: simulate, build, train, score the history ({size})",
                "engine": engine,
                "seconds": round(setup_s, 1),
                "note": f"simulate {sim['seconds']:.0f}s, dbt build {history['seconds']:.0f}s "
                f"(slowest: {_slowest(history['models'], 3)}); models trained on the demo portfolio "
                "and copied in (see the module doc)",
            },
        ]
        if not equal:
            out.append({"name": "error", "engine": engine, "note": f"hand-written != dbt: {checked}"})
        return out
    finally:
        if engine == "postgres":
            _drop_pg_database(where)
        shutil.rmtree(work, ignore_errors=True)


def run(ctx) -> list[dict]:
    models, train_s = _train_models(ctx)
    out = [
        {
            "name": "setup: delinquency models trained on the demo portfolio (450 x 240 days)",
            "engine": "duckdb",
            "seconds": round(train_s, 1),
            "note": "simulate, dbt up to ml_features_daily, predelq train (PREDELQ_ML_MIN_AUC=0); "
            f"{len(models)} active registry rows copied into each bench warehouse",
        }
    ]
    for engine in ("duckdb", "postgres") if ctx.pg else ("duckdb",):
        try:
            out += _dag(ctx, engine, models)
        except Exception as exc:  # noqa: BLE001 - one engine's failure keeps the other's rows
            out.append({"name": "error", "engine": engine, "note": f"{type(exc).__name__}: {exc}"[:3000]})
    return out
