"""A first build from scratch: `dbt build` (every model, seed, snapshot and test) on both engines.

Issue 13's goal: PostgreSQL builds the demo portfolio from scratch in at most 3x
DuckDB's time for the same build. The same portfolio is simulated into a fresh
DuckDB file and a fresh PostgreSQL database, then `predelq dbt build` runs on each
in a child process; `ratio` on the PostgreSQL row is its seconds over DuckDB's.

Default size: the demo portfolio (450 vehicles x 240 days) with a reading every
10 minutes (13 M readings), which keeps the bench inside minutes on 2 cores;
BENCH_LARGE=1 uses the demo's 1-minute readings (130 M; the PostgreSQL simulate
alone then takes about 15 minutes). BENCH_BUILD_ASSETS / _DAYS / _STEP override.
The slowest models of each build are in the note.
"""

from __future__ import annotations

import json
import os
import sys
import uuid

from bench.bench_simulate import _drop_pg_database
from bench.measure import run_measured

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _size(ctx) -> tuple[int, int, int]:
    assets = int(os.environ.get("BENCH_BUILD_ASSETS", "450"))
    days = int(os.environ.get("BENCH_BUILD_DAYS", "240"))
    step = int(os.environ.get("BENCH_BUILD_STEP", "1" if ctx.large else "10"))
    return assets, days, step


def _slowest(target_path: str, n: int = 4) -> str:
    with open(os.path.join(target_path, "run_results.json")) as fh:
        results = json.load(fh)["results"]
    top = sorted(results, key=lambda r: -r["execution_time"])[:n]
    return ", ".join(f"{r['unique_id'].split('.')[-1]} {r['execution_time']:.0f}s" for r in top)


def _build(ctx, target: str, env_extra: dict, assets: int, days: int, step: int) -> dict:
    env = {**os.environ, **env_extra, "PREDELQ_TARGET": target}
    cli = [sys.executable, "-m", "predelq.cli"]
    sim = run_measured(
        [*cli, "simulate", "--target", target, "--assets", str(assets), "--days", str(days),
         "--minute-step", str(step), "--no-progress", "--no-oracle"],
        env=env, cwd=PROJECT,
    )  # fmt: skip
    target_path = str(ctx.workdir / f"build-{target}")
    vars_ = json.dumps({"telemetry_expected_interval_minutes": step})
    build = run_measured(
        [
            *cli,
            "dbt",
            "--target",
            target,
            "build",
            "--vars",
            vars_,
            "--quiet",
            "--target-path",
            target_path,
            # unit tests pin the var at its 1-minute default; they are not about this data
            "--exclude-resource-type",
            "unit_test",
        ],
        env=env,
        cwd=PROJECT,
    )
    return {
        "name": f"dbt build from scratch, {assets} vehicles x {days} days (reading every {step} min)",
        "engine": "duckdb" if target == "dev" else "postgres",
        "seconds": round(build["seconds"], 1),
        "peak_mb": round(build["peak_mb"]),
        "note": f"slowest: {_slowest(target_path)}; simulate {sim['seconds']:.0f}s apart",
    }


def run(ctx) -> list[dict]:
    assets, days, step = _size(ctx)
    duck = _build(ctx, "dev", {"PREDELQ_DUCKDB_PATH": str(ctx.workdir / "build.duckdb")}, assets, days, step)
    out = [duck]
    if ctx.pg:
        name = f"predelq_bench_build_{uuid.uuid4().hex[:8]}"
        try:
            pg = _build(ctx, "pg", {"PREDELQ_PG_DATABASE": name}, assets, days, step)
            pg["ratio"] = round(pg["seconds"] / duck["seconds"], 2)
            pg["note"] += "; ratio = PostgreSQL / DuckDB seconds (goal <= 3)"
            out.append(pg)
        finally:
            _drop_pg_database(name)
    return out
