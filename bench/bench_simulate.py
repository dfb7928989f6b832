"""Simulator throughput: `predelq simulate --assets 3000 --days 1` end to end.

The simulator runs as a child process (`python -m predelq.cli simulate ...`), so
`seconds` is the whole command (start-up, portfolio, loan book, telemetry,
truth) and `peak_mb` its own peak memory. Targets: a fresh DuckDB file under the
bench folder, and (ctx.pg) a fresh PostgreSQL database, dropped afterwards.

The yardstick is the plain engine writing the same number of telemetry rows of
the same table with one `INSERT ... SELECT ... FROM range(n)` of random values
(DuckDB): `ratio` = simulate's seconds / that insert's seconds, i.e. what a
realistic, deterministic portfolio costs over just landing rows.

BENCH_SIM_ASSETS / BENCH_SIM_DAYS change the size; BENCH_LARGE=1 adds the
default demo portfolio (450 assets x 240 days, ~130 M rows) into DuckDB.
"""

from __future__ import annotations

import os
import re
import sys
import time
import uuid

from bench.measure import run_measured

ASSETS = int(os.environ.get("BENCH_SIM_ASSETS", "3000"))
DAYS = int(os.environ.get("BENCH_SIM_DAYS", "1"))
PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _simulate(ctx, target: str, assets: int, days: int, env_extra: dict) -> dict:
    env = {**os.environ, **env_extra, "PREDELQ_TARGET": target}
    cmd = [sys.executable, "-m", "predelq.cli", "simulate", "--target", target]
    cmd += ["--assets", str(assets), "--days", str(days), "--no-progress", "--no-oracle"]
    m = run_measured(cmd, env=env, cwd=PROJECT)
    rows = int(re.search(r"telemetry: ([\d,]+) rows", m["stdout"]).group(1).replace(",", ""))
    tel = re.search(r"telemetry \(generate and write\) ([\d.]+)", m["stdout"])
    return {
        "name": f"simulate --assets {assets} --days {days}",
        "engine": "duckdb" if target == "dev" else "postgres",
        "seconds": round(m["seconds"], 2),
        "rows": rows,
        "rows_per_s": round(rows / m["seconds"]),
        "peak_mb": round(m["peak_mb"]),
        "note": f"end to end, child process; telemetry phase {tel.group(1) if tel else '?'}s",
    }


def _plain_duckdb_insert(path, rows: int) -> dict:
    """The engine alone: the same number of raw_telemetry rows from range(n) in one INSERT."""
    import duckdb

    from predelq.landing import all_ddl

    con = duckdb.connect(str(path))
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET enable_progress_bar = false")
        for stmt in all_ddl("duckdb", include_truth=False):
            con.execute(stmt)
        t0 = time.perf_counter()
        con.execute(
            f"""
            insert into raw.raw_telemetry
            select uuid(), 'TCU-' || (i % {ASSETS}), null,
                timestamptz '2026-10-30 18:30:00+00' + to_minutes(i // {ASSETS}),
                12.9 + random() / 10, 77.6 + random() / 10, random() * 100, 10000 + random() * 50000,
                random() * 60, random() < 0.1, null,
                timestamptz '2026-10-30 18:30:05+00' + to_minutes(i // {ASSETS}), null
            from range({rows}) as t(i)
            """
        )
        seconds = time.perf_counter() - t0
    finally:
        con.close()
    return {
        "name": "plain INSERT of as many raw_telemetry rows (random values)",
        "engine": "duckdb",
        "seconds": round(seconds, 2),
        "rows": rows,
        "rows_per_s": round(rows / seconds),
        "note": "in-process, the yardstick for ratio",
    }


def _drop_pg_database(name: str) -> None:
    import psycopg2

    from predelq.db import Target

    params = {k: v for k, v in Target("pg").pg_params.items() if v != ""}
    params["dbname"] = "postgres"
    con = psycopg2.connect(**params)
    con.autocommit = True
    with con.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    con.close()


def run(ctx) -> list[dict]:
    out = []
    duck = _simulate(ctx, "dev", ASSETS, DAYS, {"PREDELQ_DUCKDB_PATH": str(ctx.workdir / "sim.duckdb")})
    plain = _plain_duckdb_insert(ctx.workdir / "plain.duckdb", duck["rows"])
    duck["ratio"] = round(duck["seconds"] / plain["seconds"], 2)
    out += [duck, plain]
    if ctx.pg:
        name = f"predelq_bench_sim_{uuid.uuid4().hex[:8]}"
        try:
            out.append(_simulate(ctx, "pg", ASSETS, DAYS, {"PREDELQ_PG_DATABASE": name}))
        finally:
            _drop_pg_database(name)
    if ctx.large:
        big = _simulate(ctx, "dev", 450, 240, {"PREDELQ_DUCKDB_PATH": str(ctx.workdir / "demo.duckdb")})
        big["note"] = "the default demo portfolio; " + big["note"]
        out.append(big)
    return out
