"""Metrics layer: one new day through the incremental dbt models vs a hand-written query.

DuckDB (the target figure): a simulated portfolio of BENCH_METRICS_ASSETS (3000)
vehicles with BENCH_METRICS_HISTORY_DAYS (7) days of history is built by dbt;
then one new local day of telemetry (3000 x 1440 readings, less the gaps the
simulator leaves) lands in raw, and, on the same data in the same run:

- `dbt run` of the models that turn readings into per-asset-day aggregates
  (int_telemetry_readings_enriched -> nights, home bases, POI visits, charging
  sessions -> int_telemetry_aggregated_daily), incremental. `seconds` is dbt's
  own run time (run_results.json elapsed_time); dbt's start-up (parsing,
  connecting) is reported apart as `dbt_startup`;
- bench/sql/asset_day_handwritten.sql: the same aggregates of the same day as
  one plain query from raw (same cleaning rules, same state of the previous
  day), materialised with CREATE TABLE AS. Its output is checked to equal the
  dbt rows of that day (to 1e-6) before any time is reported;
- `ratio` = dbt seconds / hand-written seconds (target: at most 1.5).

Each is run BENCH_METRICS_REPEAT (3) times on fresh copies of the same database,
alternating which goes first; the median is reported (the machine is shared).
The whole metrics layer (loan state, wide tables, metric_values, portfolio
reports) is run once more incrementally and reported as well.

PostgreSQL: the same at BENCH_METRICS_PG_ASSETS (300) vehicles (a 4.3 M-row day
through PostgreSQL's single-threaded window takes minutes; the smaller size is
what the report says).

BENCH_LARGE=1 adds a backfill from scratch: BENCH_METRICS_LARGE_ASSETS (3000)
vehicles x BENCH_METRICS_LARGE_DAYS (180) days simulated into a fresh DuckDB file,
then the whole metrics layer built by `dbt run --full-refresh` and further runs,
each taking on at most BENCH_METRICS_LARGE_SLICE (10) days (var
telemetry_max_window_days); total dbt time and the largest peak memory of those
runs (DuckDB memory_limit: the profile's PREDELQ_DUCKDB_MEMORY, or
BENCH_DUCKDB_MEMORY for the bench). The yardstick: the hand-written query over
all those days in ONE statement (CREATE TABLE AS, in a child process with the
same memory_limit, its peak memory reported), its rows checked equal to dbt's for
BENCH_METRICS_LARGE_SAMPLE (200) assets over every day; `ratio` = the time dbt
spent in the daily-aggregate models (DAILY_MODELS, summed over the runs) / the
hand-written seconds (goal 1.5, peak <= 8 GB); the whole layer's ratio is in the
note.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
SQL = Path(__file__).resolve().parent / "sql" / "asset_day_handwritten.sql"
ASSETS = int(os.environ.get("BENCH_METRICS_ASSETS", "3000"))
PG_ASSETS = int(os.environ.get("BENCH_METRICS_PG_ASSETS", "300"))
HISTORY_DAYS = int(os.environ.get("BENCH_METRICS_HISTORY_DAYS", "7"))
REPEAT = int(os.environ.get("BENCH_METRICS_REPEAT", "3"))
LARGE_ASSETS = int(os.environ.get("BENCH_METRICS_LARGE_ASSETS", str(ASSETS)))
LARGE_DAYS = int(os.environ.get("BENCH_METRICS_LARGE_DAYS", "180"))
LARGE_SAMPLE = int(os.environ.get("BENCH_METRICS_LARGE_SAMPLE", "200"))
LARGE_SLICE = int(os.environ.get("BENCH_METRICS_LARGE_SLICE", "10"))
END = dt.date(2026, 10, 31)
TZ = "Asia/Kolkata"
SEED = "5"

# The models that compute the per-asset-day aggregates (what the hand-written query does).
DAILY_MODELS = [
    "int_assets_joined",
    "int_asset_pois_joined",
    "int_telemetry_readings_enriched",
    "int_asset_nights_located",
    "int_asset_home_bases",
    "int_poi_visits_aggregated_daily",
    "int_charging_sessions",
    "int_telemetry_aggregated_daily",
]
# The whole metrics layer.
LAYER = [
    "+metric_values",
    "+int_charging_sessions",
    "+fct_portfolio_at_risk_daily",
    "+fct_portfolio_roll_rates_monthly",
    "+fct_portfolio_vintage_curves",
]
COMPARED = [
    "records_received", "covered_minutes", "data_completeness_pct", "has_data", "km_driven",
    "active_minutes", "night_active_minutes", "charging_minutes", "charging_sessions_started",
    "avg_soc_pct", "min_soc_pct", "end_soc_pct", "longest_gap_minutes", "hours_since_last_signal",
    "max_speed_kmh", "avg_distance_from_base_km", "max_distance_from_base_km", "at_base_share_pct",
    "is_night_away_from_base", "work_visits", "work_minutes", "service_centre_visits",
    "charging_station_visits", "home_minutes", "odometer_drops", "odometer_spikes", "max_ingested_at",
    "last_signal_at", "last_odometer_km", "last_is_charging", "last_soc_pct",
]  # fmt: skip


# --------------------------------------------------------------------------- plumbing
def _local_midnight_utc(day: dt.date) -> dt.datetime:
    from zoneinfo import ZoneInfo

    return dt.datetime.combine(day, dt.time(0), tzinfo=ZoneInfo(TZ)).astimezone(dt.UTC)


def _env(workdir: Path, target: str, **extra) -> dict:
    from predelq.dbt import ensure_profiles_dir

    env = {
        **os.environ,
        "PREDELQ_TARGET": target,
        "DBT_PROFILES_DIR": str(ensure_profiles_dir()),
        "DBT_TARGET_PATH": str(workdir / "target"),
        "DBT_LOG_PATH": str(workdir / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        **extra,
    }
    if os.environ.get("BENCH_DUCKDB_MEMORY"):
        env["PREDELQ_DUCKDB_MEMORY"] = os.environ["BENCH_DUCKDB_MEMORY"]
    return env


def _measured(cmd: list[str], env: dict, check: bool = True) -> dict:
    """Run a child process; wall seconds and ITS peak RSS (os.wait4 gives that child's usage).
    check=False: a non-zero exit is returned as `exit` instead of raised."""
    t0 = time.perf_counter()
    with open(Path(env["DBT_LOG_PATH"]).parent / "child.out", "w") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=PROJECT, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code != 0 and check:
        tail = (Path(env["DBT_LOG_PATH"]).parent / "child.out").read_text()[-3000:]
        raise RuntimeError(f"{' '.join(cmd[:4])}... failed:\n{tail}")
    return {"seconds": seconds, "peak_mb": usage.ru_maxrss / 1024, "exit": code}


def _simulate(env: dict, target: str, assets: int, days: int) -> dict:
    cmd = [sys.executable, "-m", "predelq.cli", "simulate", "--target", target, "--assets", str(assets)]
    cmd += [
        "--days",
        str(days),
        "--seed",
        SEED,
        "--end-date",
        END.isoformat(),
        "--no-progress",
        "--no-oracle",
    ]
    return _measured(cmd, env)


def _dbt(env: dict, target: str, *args: str) -> dict:
    """A dbt command in a child process: wall, dbt's own elapsed time, per-model times."""
    dbt = str(Path(sys.executable).parent / "dbt")
    cmd = [dbt, *args, "--project-dir", str(PROJECT), "--target", target]
    m = _measured(cmd, env)
    results = json.loads((Path(env["DBT_TARGET_PATH"]) / "run_results.json").read_text())
    m["elapsed"] = results["elapsed_time"]
    m["models"] = {
        r["unique_id"].split(".")[-1]: r["execution_time"]
        for r in results["results"]
        if r["unique_id"].startswith("model.")
    }
    return m


def _handwritten_sql(day: dt.date, interval_minutes: int = 1, last_day: dt.date | None = None) -> str:
    """bench/sql/asset_day_handwritten.sql for one local day, or the days `day`..`last_day`."""
    last_day = last_day or day
    start, end = _local_midnight_utc(day), _local_midnight_utc(last_day + dt.timedelta(days=1))
    tokens = {
        "$FIRST_DAY": day.isoformat(),
        "$LAST_DAY": last_day.isoformat(),
        "$DAYS": str((last_day - day).days + 1),
        "$START": f"cast('{start.isoformat()}' as timestamptz)",
        "$END": f"cast('{end.isoformat()}' as timestamptz)",
        "$TZ": TZ,
        "$MAX_SPEED": "250",
        "$MOVING": "2",
        "$NIGHT_START": "22",
        "$NIGHT_END": "6",
        "$SESSION_GAP": "30",
        "$VISIT_GAP": "30",
        "$INTERVAL": str(interval_minutes),
    }
    sql = SQL.read_text()
    for token, value in tokens.items():
        sql = sql.replace(token, value)
    return sql


SAME = "same rows and values (1e-6)"


def _memory() -> str:
    chosen = os.environ.get("BENCH_DUCKDB_MEMORY") or os.environ.get("PREDELQ_DUCKDB_MEMORY")
    return chosen or "6GB (profile default)"


def _seconds(values) -> str:
    return ", ".join(f"{s:.2f}" for s in values)


def _slowest(models: dict, n: int = 4) -> str:
    return ", ".join(f"{k} {v:.1f}s" for k, v in sorted(models.items(), key=lambda kv: -kv[1])[:n])


def _times(runs) -> str:
    return ", ".join(f"{m['elapsed']:.2f}" for m in runs)


def _median(values):
    return statistics.median(values) if values else None


def _same(a, b, tol=1e-6) -> bool:
    if isinstance(a, (float, int)) and isinstance(b, (float, int)) and not isinstance(a, bool):
        return abs(float(a) - float(b)) <= tol + 1e-12 * max(1.0, abs(float(a)))
    return a == b


def _check_equal(dbt_rows: dict, hand_rows: dict) -> str | None:
    """None when the hand-written rows equal dbt's, else the first differences."""
    problems = [f"key only in dbt: {k}" for k in list(set(dbt_rows) - set(hand_rows))[:3]]
    problems += [f"key only in hand-written: {k}" for k in list(set(hand_rows) - set(dbt_rows))[:3]]
    for key in set(dbt_rows) & set(hand_rows):
        for col, a, b in zip(COMPARED, dbt_rows[key], hand_rows[key], strict=True):
            if not _same(a, b):
                problems.append(f"{key} {col}: dbt {a!r} vs hand-written {b!r}")
        if len(problems) > 5:
            break
    return "; ".join(problems[:6]) or None


def _rows_by_asset(rows) -> dict:
    out = {}
    for r in rows:
        vals = []
        for v in r[1:]:
            if hasattr(v, "as_integer_ratio") or v.__class__.__name__ == "Decimal":
                v = float(v)
            elif isinstance(v, dt.datetime):
                v = v.astimezone(dt.UTC)
            vals.append(v)
        out[str(r[0])] = tuple(vals)
    return out


# --------------------------------------------------------------------------- DuckDB
def _duck(path: Path):
    import duckdb

    con = duckdb.connect(str(path))
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")
    return con


def _duckdb_daily(ctx) -> list[dict]:
    work = ctx.workdir / "metrics_duckdb"
    work.mkdir(parents=True, exist_ok=True)
    db = work / "warehouse.duckdb"
    env = _env(work, "dev", PREDELQ_DUCKDB_PATH=str(db))
    new_day = END
    day_start = _local_midnight_utc(new_day)
    sim = _simulate(env, "dev", ASSETS, HISTORY_DAYS + 1)

    con = _duck(db)
    con.execute("create schema held")
    con.execute(f"create table held.new_day as select * from raw.raw_telemetry where ts >= '{day_start}'")
    con.execute(f"delete from raw.raw_telemetry where ts >= '{day_start}'")
    day_rows = con.execute("select count(*) from held.new_day").fetchone()[0]
    con.close()

    _dbt(env, "dev", "seed", "--select", "metric_definitions")
    history = _dbt(env, "dev", "run", "--select", *LAYER)

    con = _duck(db)
    con.execute("insert into raw.raw_telemetry select * from held.new_day")
    con.execute("checkpoint")
    con.close()
    snapshot = work / "snapshot.duckdb"
    shutil.copyfile(db, snapshot)

    sql = _handwritten_sql(new_day)
    dbt_runs, hand_runs, startups, checked = [], [], [], None
    for rep in range(REPEAT):
        shutil.copyfile(snapshot, db)
        order = ["dbt", "hand"] if rep % 2 == 0 else ["hand", "dbt"]
        for which in order:
            if which == "dbt":
                m = _dbt(env, "dev", "run", "--select", *DAILY_MODELS)
                dbt_runs.append(m)
                startups.append(m["seconds"] - m["elapsed"])
            else:
                con = _duck(db)
                t0 = time.perf_counter()
                con.execute(f"create or replace table main.handwritten_day as {sql}")
                hand_runs.append(time.perf_counter() - t0)
                con.close()
        if checked is None:
            con = _duck(db)
            cols = ", ".join(COMPARED)
            mine = con.execute(
                f"select asset_id, {cols} from intermediate.int_telemetry_aggregated_daily "
                f"where local_date = '{new_day}'"
            ).fetchall()
            hand = con.execute(f"select asset_id, {cols} from main.handwritten_day").fetchall()
            con.close()
            checked = _check_equal(_rows_by_asset(mine), _rows_by_asset(hand)) or SAME

    # the whole layer, incremental, on a fresh copy
    shutil.copyfile(snapshot, db)
    layer = _dbt(env, "dev", "run", "--select", *LAYER)

    dbt_s = _median([m["elapsed"] for m in dbt_runs])
    hand_s = _median(hand_runs)
    slowest = sorted(dbt_runs[0]["models"].items(), key=lambda kv: -kv[1])[:4]
    per_model = ", ".join(f"{k} {_median([m['models'][k] for m in dbt_runs]):.1f}s" for k, _ in slowest)
    equal = checked.startswith("same")
    out = [
        {
            "name": f"new day, hand-written query ({ASSETS} assets)",
            "engine": "duckdb",
            "seconds": round(hand_s, 2),
            "rows": day_rows,
            "rows_per_s": round(day_rows / hand_s),
            "note": f"median of {len(hand_runs)}: {_seconds(hand_runs)}; CREATE TABLE AS",
        },
        {
            "name": f"new day, dbt incremental daily models ({ASSETS} assets)",
            "engine": "duckdb",
            "seconds": round(dbt_s, 2),
            "rows": day_rows,
            "rows_per_s": round(day_rows / dbt_s),
            "peak_mb": round(max(m["peak_mb"] for m in dbt_runs)),
            "ratio": round(dbt_s / hand_s, 2) if equal else None,
            "note": (
                f"dbt run_results elapsed, median of {len(dbt_runs)}: {_times(dbt_runs)}; "
                f"slowest: {per_model}; output vs hand-written: {checked}"
            ),
        },
        {
            "name": "dbt start-up (parse, connect), excluded above",
            "engine": "duckdb",
            "seconds": round(_median(startups), 2),
            "note": "wall time of the dbt command minus its run_results elapsed time",
        },
        {
            "name": "new day, whole metrics layer incremental",
            "engine": "duckdb",
            "seconds": round(layer["elapsed"], 2),
            "peak_mb": round(layer["peak_mb"]),
            "note": (
                "readings -> daily aggregates -> rolling -> loan state -> account rollups -> metric_values "
                f"-> PAR/roll rates/vintages; slowest: {_slowest(layer['models'])}"
            ),
        },
        {
            "name": f"setup: simulate {ASSETS} x {HISTORY_DAYS + 1} days, dbt build of {HISTORY_DAYS} days",
            "engine": "duckdb",
            "seconds": round(sim["seconds"] + history["seconds"], 1),
            "note": f"simulate {sim['seconds']:.0f}s, history full build {history['elapsed']:.0f}s ",
        },
    ]
    if not equal:
        out.append({"name": "error", "engine": "duckdb", "note": f"hand-written != dbt: {checked}"})
    shutil.rmtree(work, ignore_errors=True)
    return out


# --------------------------------------------------------------------------- PostgreSQL
def _pg_connect(dbname: str):
    import psycopg2

    from predelq.db import Target

    params = {k: v for k, v in Target("pg").pg_params.items() if v != ""}
    params["dbname"] = dbname
    con = psycopg2.connect(**params)
    con.autocommit = True
    with con.cursor() as cur:
        cur.execute("SET TIME ZONE 'UTC'")
    return con


def _pg_daily(ctx) -> list[dict]:
    work = ctx.workdir / "metrics_pg"
    work.mkdir(parents=True, exist_ok=True)
    name = f"predelq_bench_metrics_{uuid.uuid4().hex[:8]}"
    snapshot = f"{name}_snapshot"
    env = _env(work, "pg", PREDELQ_PG_DATABASE=name)
    admin = _pg_connect("postgres")
    try:
        with admin.cursor() as cur:
            cur.execute(f'create database "{name}"')
        sim = _simulate(env, "pg", PG_ASSETS, HISTORY_DAYS + 1)
        day_start = _local_midnight_utc(END)
        con = _pg_connect(name)
        with con.cursor() as cur:
            cur.execute("create schema held")
            cur.execute(
                f"create table held.new_day as select * from raw.raw_telemetry where ts >= '{day_start}'"
            )
            cur.execute(f"delete from raw.raw_telemetry where ts >= '{day_start}'")
            cur.execute("select count(*) from held.new_day")
            day_rows = cur.fetchone()[0]
        con.close()
        _dbt(env, "pg", "seed", "--select", "metric_definitions")
        history = _dbt(env, "pg", "run", "--select", *LAYER)
        con = _pg_connect(name)
        with con.cursor() as cur:
            cur.execute("insert into raw.raw_telemetry select * from held.new_day")
            cur.execute("vacuum analyze raw.raw_telemetry")
        con.close()
        with admin.cursor() as cur:
            cur.execute(f'create database "{snapshot}" template "{name}"')

        sql = _handwritten_sql(END)
        dbt_runs, hand_runs, checked = [], [], None
        for rep in range(max(1, min(REPEAT, 2))):
            with admin.cursor() as cur:
                cur.execute(f'drop database "{name}" with (force)')
                cur.execute(f'create database "{name}" template "{snapshot}"')
            order = ["dbt", "hand"] if rep % 2 == 0 else ["hand", "dbt"]
            for which in order:
                if which == "dbt":
                    dbt_runs.append(_dbt(env, "pg", "run", "--select", *DAILY_MODELS))
                else:
                    con = _pg_connect(name)
                    with con.cursor() as cur:
                        t0 = time.perf_counter()
                        cur.execute(f"create table public.handwritten_day as {sql}")
                        hand_runs.append(time.perf_counter() - t0)
                        cur.execute("drop table public.handwritten_day")
                    con.close()
            if checked is None:
                con = _pg_connect(name)
                with con.cursor() as cur:
                    cols = ", ".join(COMPARED)
                    cur.execute(
                        f"select asset_id, {cols} from intermediate.int_telemetry_aggregated_daily "
                        f"where local_date = '{END}'"
                    )
                    mine = cur.fetchall()
                    cur.execute(f"select asset_id, {cols} from ({sql}) as hand")
                    hand = cur.fetchall()
                con.close()
                checked = _check_equal(_rows_by_asset(mine), _rows_by_asset(hand)) or SAME
        dbt_s = _median([m["elapsed"] for m in dbt_runs])
        hand_s = _median(hand_runs)
        equal = checked.startswith("same")
        slowest = sorted(dbt_runs[0]["models"].items(), key=lambda kv: -kv[1])[:3]
        out = [
            {
                "name": f"new day, hand-written query ({PG_ASSETS} assets)",
                "engine": "postgres",
                "seconds": round(hand_s, 2),
                "rows": day_rows,
                "rows_per_s": round(day_rows / hand_s),
                "note": f"runs: {', '.join(f'{s:.2f}' for s in hand_runs)}",
            },
            {
                "name": f"new day, dbt incremental daily models ({PG_ASSETS} assets)",
                "engine": "postgres",
                "seconds": round(dbt_s, 2),
                "rows": day_rows,
                "rows_per_s": round(day_rows / dbt_s),
                "ratio": round(dbt_s / hand_s, 2) if equal else None,
                "note": (
                    f"runs: {_times(dbt_runs)}; slowest: "
                    + ", ".join(f"{k} {v:.1f}s" for k, v in slowest)
                    + f"; output vs hand-written: {checked}; setup: simulate {sim['seconds']:.0f}s, "
                    f"history build {history['elapsed']:.0f}s"
                ),
            },
        ]
        if not equal:
            out.append({"name": "error", "engine": "postgres", "note": f"hand-written != dbt: {checked}"})
        return out
    finally:
        with admin.cursor() as cur:
            for db in (name, snapshot):
                cur.execute(f'drop database if exists "{db}" with (force)')
        admin.close()
        shutil.rmtree(work, ignore_errors=True)


# --------------------------------------------------------------------------- large backfill
def _duckdb_backfill(ctx) -> list[dict]:
    """3000 x 90 days from scratch: --full-refresh, then runs until caught up, each at most
    LARGE_SLICE days (var telemetry_max_window_days). One --full-refresh over 90 days would
    sort ~360 M wide rows at once (tens of GB of spill on this machine's disk)."""
    work = ctx.workdir / "metrics_large"
    work.mkdir(parents=True, exist_ok=True)
    db = work / "warehouse.duckdb"
    env = _env(work, "dev", PREDELQ_DUCKDB_PATH=str(db))
    sliced = ["--vars", f"{{telemetry_max_window_days: {LARGE_SLICE}}}"]
    try:
        sim = _simulate(env, "dev", LARGE_ASSETS, LARGE_DAYS)
        con = _duck(db)
        rows = con.execute("select count(*) from raw.raw_telemetry").fetchone()[0]
        con.close()
        _dbt(env, "dev", "seed", "--select", "metric_definitions")
        runs = [_dbt(env, "dev", "run", "--select", *LAYER, "--full-refresh", *sliced)]
        for _ in range(math.ceil(LARGE_DAYS / LARGE_SLICE) + 1):
            con = _duck(db)
            last = con.execute(
                "select max(local_date) from intermediate.int_telemetry_aggregated_daily"
            ).fetchone()[0]
            con.close()
            if last >= END:
                break
            runs.append(_dbt(env, "dev", "run", "--select", *LAYER, *sliced))
        size_gb = db.stat().st_size / 1e9
        elapsed = sum(r["elapsed"] for r in runs)
        wall = sum(r["seconds"] for r in runs)
        per_model: dict[str, float] = {}
        for r in runs:
            for k, v in r["models"].items():
                per_model[k] = per_model.get(k, 0.0) + v
        daily_s = sum(per_model.get(k, 0.0) for k in DAILY_MODELS)
        hand = _handwritten_backfill(work, env, db)
        failed = hand.get("failed")
        equal = not failed and hand["checked"].startswith("same")
        size = f"{LARGE_ASSETS} assets x {LARGE_DAYS} days"
        versus = "no hand-written time"
        if not failed:
            versus = f"whole layer / hand-written = {elapsed / hand['seconds']:.2f}"
        out = [
            {
                "name": f"backfill {size} from scratch, metrics layer",
                "engine": "duckdb",
                "seconds": round(elapsed, 1),
                "rows": rows,
                "rows_per_s": round(rows / elapsed),
                "peak_mb": round(max(r["peak_mb"] for r in runs)),
                "note": (
                    f"{len(runs)} dbt runs of at most {LARGE_SLICE} days (--full-refresh, then incremental); "
                    f"DuckDB memory_limit {_memory()}; dbt wall {wall:.0f}s; "
                    f"slowest: {_slowest(per_model)}; simulate {sim['seconds']:.0f}s "
                    f"(peak {sim['peak_mb']:.0f} MB); database {size_gb:.1f} GB; {versus}"
                ),
            },
            {
                "name": f"backfill {size}, hand-written query over all days, one statement",
                "engine": "duckdb",
                "seconds": None if failed else round(hand["seconds"], 1),
                "rows": rows,
                "rows_per_s": None if failed else round(rows / hand["seconds"]),
                "peak_mb": round(hand["peak_mb"]),
                "note": f"CREATE TABLE AS, child process, memory_limit {_memory()}; "
                + (
                    f"FAILED, {failed}"
                    if failed
                    else f"{hand['rows']:,} asset-days; vs dbt for {LARGE_SAMPLE} assets x every day: "
                    + hand["checked"]
                ),
            },
            {
                "name": f"backfill {size}, dbt daily-aggregate models",
                "engine": "duckdb",
                "seconds": round(daily_s, 1),
                "rows": rows,
                "rows_per_s": round(rows / daily_s) if daily_s else None,
                "peak_mb": round(max(r["peak_mb"] for r in runs)),
                "ratio": round(daily_s / hand["seconds"], 2) if equal else None,
                "note": "sum over the runs of " + ", ".join(DAILY_MODELS) + "; ratio = this / hand-written "
                "over all days (goal <= 1.5, peak <= 8 GB; peak is the largest dbt run's)"
                + ("; no ratio: the hand-written query did not finish" if failed else ""),
            },
        ]
        if not failed and not equal:
            out.append(
                {"name": "error", "engine": "duckdb", "note": f"hand-written != dbt: {hand['checked']}"}
            )
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)


_CTAS = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("SET TimeZone = 'UTC'")
con.execute("SET enable_progress_bar = false")
con.execute(f"SET memory_limit = '{sys.argv[3]}'")
con.execute(f"SET max_temp_directory_size = '{sys.argv[4]}'")
sql = open(sys.argv[2]).read()
t0 = time.perf_counter()
con.execute("create or replace table main.handwritten_all as " + sql)
print(time.perf_counter() - t0)
"""


def _spill_budget(work: Path) -> str:
    """DuckDB's max_temp_directory_size for the one-statement yardstick: the free disk
    less 5 GB (BENCH_SPILL_MAX overrides), so a sort that outgrows the disk fails
    cleanly instead of filling it (3,000 x 90 days spilled more than 46 GB here)."""
    if os.environ.get("BENCH_SPILL_MAX"):
        return os.environ["BENCH_SPILL_MAX"]
    free_gb = shutil.disk_usage(work).free / 1e9
    return f"{max(1, int(free_gb - 5))}GB"


def _handwritten_backfill(work: Path, env: dict, db: Path) -> dict:
    """The hand-written query over every day of the backfill in one statement (child process)."""
    first = END - dt.timedelta(days=LARGE_DAYS - 1)
    sql_file = work / "handwritten_all.sql"
    sql_file.write_text(_handwritten_sql(first, last_day=END))
    memory = os.environ.get("BENCH_DUCKDB_MEMORY") or os.environ.get("PREDELQ_DUCKDB_MEMORY") or "6GB"
    spill = _spill_budget(work)
    t0 = time.perf_counter()
    m = _measured([sys.executable, "-c", _CTAS, str(db), str(sql_file), memory, spill], env, check=False)
    out = (Path(env["DBT_LOG_PATH"]).parent / "child.out").read_text().strip()
    if m["exit"] != 0:
        # e.g. the one-statement sort outgrew the disk: report how far it got, keep dbt's rows
        errors = [line for line in out.splitlines() if "Error" in line or "Exception" in line]
        reason = (errors or out.splitlines() or [f"exit {m['exit']}"])[-1][:300]
        return {"failed": f"stopped after {time.perf_counter() - t0:.0f}s: {reason}", "peak_mb": m["peak_mb"]}
    seconds = float(out.splitlines()[-1])
    con = _duck(db)
    try:
        count = con.execute("select count(*) from main.handwritten_all").fetchone()[0]
        cols = ", ".join(COMPARED)
        first_assets = "select asset_id from main.handwritten_all group by asset_id order by asset_id"
        sample = f"({first_assets} limit {LARGE_SAMPLE})"
        key = "cast(asset_id as varchar) || '|' || cast(local_date as varchar)"
        mine = con.execute(
            f"select {key}, {cols} from intermediate.int_telemetry_aggregated_daily "
            f"where local_date >= '{first}' and asset_id in {sample}"
        ).fetchall()
        hand = con.execute(
            f"select {key}, {cols} from main.handwritten_all where asset_id in {sample}"
        ).fetchall()
        con.execute("drop table main.handwritten_all")
    finally:
        con.close()
    mine_rows, hand_rows = _rows_by_asset(mine), _rows_by_asset(hand)
    # dbt's sliced backfill gives an asset with no reading yet (disbursed after the slice) a row
    # on each slice's last day, which a single build over all days does not have (the spine's
    # fallback to the run's last day in int_telemetry_aggregated_daily): counted, not compared
    silent = [k for k in set(mine_rows) - set(hand_rows) if mine_rows[k][0] == 0]
    for k in silent:
        del mine_rows[k]
    checked = _check_equal(mine_rows, hand_rows) or SAME
    if silent:
        checked += f" (dbt has {len(silent)} more asset-day(s) without readings, on slice ends: not compared)"
    return {"seconds": seconds, "peak_mb": m["peak_mb"], "rows": count, "checked": checked}


def run(ctx) -> list[dict]:
    parts = [_duckdb_daily] + ([_pg_daily] if ctx.pg else []) + ([_duckdb_backfill] if ctx.large else [])
    results = []
    for part in parts:
        # one part failing (e.g. the large backfill out of disk) keeps the others' rows
        try:
            results += part(ctx)
        except Exception as exc:
            results.append({"name": "error", "note": f"{part.__name__}: {type(exc).__name__}: {exc}"[:2000]})
    for r in results:
        for k, v in list(r.items()):
            if isinstance(v, float) and math.isnan(v):
                r[k] = None
    return results
