"""Spark local mode beside DuckDB: one new day through the metric models (issue 16).

The same simulated portfolio (BENCH_SPARK_ASSETS vehicles, default 3000, with
BENCH_SPARK_HISTORY_DAYS (7) days of history and one new local day, seed 5) is
written to DuckDB and to Spark (`predelq simulate --target spark`: Parquet
tables, telemetry partitioned by day). The new day's readings are held back,
the metrics layer is built, the day lands in raw, and the timed run is
`dbt run` of the metrics layer (bench_metrics.LAYER): dbt's own elapsed time
(run_results.json), as in bench_metrics.

Spark runs in this process, local[N] (BENCH_SPARK_MASTER, default local[2]):
its start-up (the JVM, the Hive metastore) is reported apart as `spark_startup`.
On Spark the telemetry chain recomputes every day on each run (the models whose
rows are events are tables there: macros/incremental/incremental_config.sql), so
the "new day" figure on Spark is a full recompute of the history; the
insert_overwrite models only rewrite the days they recompute.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from bench.bench_metrics import END, LAYER, SEED, _dbt, _env, _local_midnight_utc, _measured

ASSETS = int(os.environ.get("BENCH_SPARK_ASSETS", "3000"))
HISTORY_DAYS = int(os.environ.get("BENCH_SPARK_HISTORY_DAYS", "7"))
MASTER = os.environ.get("BENCH_SPARK_MASTER", "local[2]")


def _simulate_cmd(target: str) -> list[str]:
    return [
        sys.executable, "-m", "predelq.cli", "simulate", "--target", target,
        "--assets", str(ASSETS), "--days", str(HISTORY_DAYS + 1), "--seed", SEED,
        "--end-date", END.isoformat(), "--no-progress", "--no-oracle",
    ]  # fmt: skip


def _duckdb(ctx) -> list[dict]:
    import duckdb

    work = ctx.workdir / "spark_bench_duckdb"
    work.mkdir(parents=True, exist_ok=True)
    db = work / "warehouse.duckdb"
    env = _env(work, "dev", PREDELQ_DUCKDB_PATH=str(db))
    _measured(_simulate_cmd("dev"), env)
    start = _local_midnight_utc(END)
    con = duckdb.connect(str(db))
    con.execute("create schema held")
    con.execute(f"create table held.new_day as select * from raw.raw_telemetry where ts >= '{start}'")
    con.execute(f"delete from raw.raw_telemetry where ts >= '{start}'")
    rows = con.execute("select count(*) from held.new_day").fetchone()[0]
    con.close()
    _dbt(env, "dev", "seed", "--select", "metric_definitions")
    _dbt(env, "dev", "run", "--select", *LAYER)
    con = duckdb.connect(str(db))
    con.execute("insert into raw.raw_telemetry select * from held.new_day")
    con.close()
    m = _dbt(env, "dev", "run", "--select", *LAYER)
    return [
        {
            "name": f"one new day of {ASSETS} vehicles, metrics layer (dbt, incremental)",
            "engine": "duckdb",
            "seconds": m["elapsed"],
            "rows": rows,
            "rows_per_s": rows / m["elapsed"],
            "peak_mb": m["peak_mb"],
            "note": f"dbt wall {m['seconds']:.1f}s incl. start-up",
        }
    ]


def _spark(ctx) -> list[dict]:
    work = ctx.workdir / "spark_bench_spark"
    work.mkdir(parents=True, exist_ok=True)
    spark_env = {
        "PREDELQ_TARGET": "spark",
        "PREDELQ_SPARK_WAREHOUSE": str(work / "warehouse"),
        "PREDELQ_SPARK_METASTORE": str(work / "metastore_db"),
        "PREDELQ_SPARK_MASTER": MASTER,
        "PREDELQ_SPARK_SHUFFLE_PARTITIONS": os.environ.get("BENCH_SPARK_SHUFFLE_PARTITIONS", "4"),
    }
    os.environ.update(spark_env)
    os.environ["DBT_TARGET_PATH"] = str(work / "target")
    os.environ["DBT_LOG_PATH"] = str(work / "logs")
    from predelq import spark as sp
    from predelq.cli import main
    from predelq.db import Target
    from predelq.dbt import run_dbt

    t0 = time.perf_counter()
    session = sp.session()
    session.sql("show databases").collect()  # the Hive metastore starts on first use
    startup = time.perf_counter() - t0
    t0 = time.perf_counter()
    assert main(_simulate_cmd("spark")[3:]) == 0
    simulate_s = time.perf_counter() - t0

    # hold the new local day back (a static overwrite of the raw table without it)
    start = _local_midnight_utc(END).replace(tzinfo=None).isoformat(sep=" ")
    raw = session.table("raw.raw_telemetry").localCheckpoint(eager=True)
    held = raw.filter(f"ts >= timestamp'{start}'").localCheckpoint(eager=True)
    rows = held.count()
    session.conf.set("spark.sql.sources.partitionOverwriteMode", "static")
    raw.filter(f"ts < timestamp'{start}' or ts is null").write.insertInto("raw.raw_telemetry", overwrite=True)
    session.conf.set("spark.sql.sources.partitionOverwriteMode", "dynamic")

    target = Target("spark")
    run_dbt(["seed", "--select", "metric_definitions"], target)
    t0 = time.perf_counter()
    run_dbt(["run", "--select", *LAYER], target)
    first_s = time.perf_counter() - t0
    held.write.insertInto("raw.raw_telemetry")
    t0 = time.perf_counter()
    run_dbt(["run", "--select", *LAYER], target)
    wall = time.perf_counter() - t0
    elapsed = json.loads((work / "target" / "run_results.json").read_text())["elapsed_time"]
    sp.stop()
    return [
        {
            "name": "Spark start-up (JVM, Hive metastore), reported apart",
            "engine": f"spark {MASTER}",
            "seconds": startup,
        },
        {
            "name": f"one new day of {ASSETS} vehicles, metrics layer (dbt-spark session)",
            "engine": f"spark {MASTER}",
            "seconds": elapsed,
            "rows": rows,
            "rows_per_s": rows / elapsed,
            "note": (
                f"dbt wall {wall:.1f}s; the telemetry chain recomputes all {HISTORY_DAYS + 1} days "
                f"on Spark; first build {first_s:.1f}s; simulate into Spark {simulate_s:.1f}s"
            ),
        },
    ]


def run(ctx) -> list[dict]:
    out = _duckdb(ctx)
    out += _spark(ctx)
    duck = out[0]["seconds"]
    spark = out[-1]["seconds"]
    out[-1]["ratio"] = spark / duck if duck else None
    return out


if __name__ == "__main__":
    import tempfile

    from bench.run import Context

    with tempfile.TemporaryDirectory(prefix="predelq-bench-") as tmp:
        for r in run(Context(Path(tmp))):
            print(r)
