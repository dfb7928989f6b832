"""Load throughput: `predelq load` against the engine's own bulk load of the same file.

One telemetry CSV of 3,000 devices x 1,440 minutes (4.32 M rows, one day) is
written with numpy/pyarrow. It is loaded

* with `predelq load` (a subprocess, so peak memory is the loader's own) into a
  fresh DuckDB file and a fresh PostgreSQL database holding the 3,000 device
  identifiers, and
* with the engine alone, into a plain table of the same columns: DuckDB
  `insert into ... select * from read_csv(...)`, PostgreSQL `COPY ... FROM STDIN`.

`ratio` is predelq load's time divided by the engine's: the price of parsing,
checking every row, resolving devices, the duplicate search and the batch
bookkeeping. A second baseline loads the file into a copy of raw.raw_telemetry
(same types, on PostgreSQL the same indexes, ids generated), which separates
the cost of the table's shape from the cost of the checks. PostgreSQL runs when
ctx.pg is true (BENCH_PG=0 skips it).
BENCH_LOAD_DEVICES / BENCH_LOAD_MINUTES shrink the file for a quick run.
"""

from __future__ import annotations

import datetime as dt
import os
import time
import uuid
from pathlib import Path

DEVICES = int(os.environ.get("BENCH_LOAD_DEVICES", "3000"))
MINUTES = int(os.environ.get("BENCH_LOAD_MINUTES", "1440"))
DAY = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
FROM = dt.date(2024, 1, 1)  # devices assigned from this day on


def device_ids(n: int) -> list[str]:
    return [f"DEV{i:05d}" for i in range(n)]


def write_telemetry_csv(
    path: Path, devices: int = DEVICES, minutes: int = MINUTES, seed: int = 1, start: dt.datetime = DAY
) -> int:
    """Minute readings for every device (DEV00000...), in time order; returns the row count."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(seed)
    ids = np.array(device_ids(devices), dtype=object)
    base = np.datetime64(start.astimezone(dt.UTC).replace(tzinfo=None), "s")
    writer = None
    rows = 0
    step = max(1, 200_000 // devices)  # minutes per written block
    try:
        for m0 in range(0, minutes, step):
            m = np.arange(m0, min(minutes, m0 + step))
            n = len(m) * devices
            ts = np.repeat(base + m.astype("timedelta64[m]"), devices)
            stamps = np.char.add(np.datetime_as_string(ts, unit="s").astype(str), "Z")
            table = pa.table(
                {
                    "device_id": pa.array(np.tile(ids, len(m)), pa.string()),
                    "ts": pa.array(stamps, pa.string()),
                    "lat": np.round(12.9 + rng.normal(0, 0.05, n), 6),
                    "lon": np.round(77.6 + rng.normal(0, 0.05, n), 6),
                    "soc": np.round(rng.uniform(5, 100, n), 1),
                    "odometer": np.round(rng.uniform(1_000, 90_000, n), 1),
                    "speed": np.round(np.clip(rng.normal(20, 15, n), 0, 120), 1),
                    "is_charging": rng.random(n) < 0.1,
                }
            )
            if writer is None:
                writer = pacsv.CSVWriter(str(path), table.schema)
            writer.write_table(table)
            rows += n
    finally:
        if writer is not None:
            writer.close()
    return rows


def identifier_rows(devices: int) -> list[tuple]:
    return [
        (
            str(uuid.uuid4()),
            "asset",
            str(uuid.uuid4()),
            "device_id",
            d,
            "oem",
            True,
            dt.date(2024, 1, 1),
            None,
        )
        for d in device_ids(devices)
    ]


def seed_warehouse(target) -> None:
    """Raw tables plus the device identifiers, on a fresh warehouse."""
    from predelq.db import execute_all
    from predelq.landing import all_ddl

    target.ensure_database()
    con = target.connect()
    try:
        execute_all(con, all_ddl(target.engine, include_truth=False))
        cur = con.cursor()
        sql = (
            "insert into raw.entity_identifiers (id, entity_type, entity_id, identifier_type, "
            "identifier_value, source, is_primary, valid_from, valid_to) values "
        )
        marks = "(%s, %s, %s, %s, %s, %s, %s, %s, %s)"
        if target.engine == "duckdb":
            marks = marks.replace("%s", "?")
        cur.executemany(sql + marks, identifier_rows(DEVICES))
        con.commit()
    finally:
        con.close()


PLAIN_TABLE = """create table plain_telemetry (device_id text, ts timestamptz, lat double precision,
    lon double precision, soc double precision, odometer double precision, speed double precision,
    is_charging boolean)"""
CSV_COLUMNS = "device_id, ts, lat, lon, soc, odometer, speed, is_charging"


def engine_bulk_load(target, csv_path: Path, shaped: bool | str = False) -> float:
    """Seconds for the engine alone to load the file.

    shaped=False: into a plain table of the file's columns (the engine's best case).
    shaped=True: into a copy of raw.raw_telemetry (same types and, on PostgreSQL, the same
    indexes), ids generated: what the loader's final insert costs without any checking.
    """
    con = target.connect()
    try:
        cur = con.cursor()
        cur.execute("drop table if exists plain_telemetry")
        if not shaped:
            cur.execute(PLAIN_TABLE)
        elif target.engine == "duckdb":
            cur.execute("create table plain_telemetry as select * from raw.raw_telemetry limit 0")
        elif shaped == "partitioned":
            # the same daily partitions as raw.raw_telemetry holds now (the loader made them)
            cur.execute(
                "create table plain_telemetry (like raw.raw_telemetry including defaults) "
                "partition by range (ts)"
            )
            cur.execute(
                "select c.relname, pg_get_expr(c.relpartbound, c.oid) from pg_inherits i "
                "join pg_class c on c.oid = i.inhrelid join pg_class p on p.oid = i.inhparent "
                "join pg_namespace n on n.oid = p.relnamespace "
                "where n.nspname = 'raw' and p.relname = 'raw_telemetry'"
            )
            for name, bound in cur.fetchall():
                cur.execute(f"create table plain_{name} partition of plain_telemetry {bound}")
            cur.execute("create index on plain_telemetry using brin (ts)")
            cur.execute("create index on plain_telemetry (device_id, ts)")
            cur.execute(
                "alter table plain_telemetry alter column id set default gen_random_uuid(), "
                "alter column ingested_at set default now()"
            )
        else:
            cur.execute("create table plain_telemetry (like raw.raw_telemetry including all)")
            cur.execute(
                "alter table plain_telemetry alter column id set default gen_random_uuid(), "
                "alter column ingested_at set default now()"
            )
        con.commit()
        t0 = time.perf_counter()
        if target.engine == "duckdb":
            select = "*"
            if shaped:
                select = (
                    "gen_random_uuid(), device_id, null, ts, lat, lon, soc, odometer, speed, is_charging, "
                    "null, now(), null"
                )
            cur.execute(
                f"insert into plain_telemetry select {select} from read_csv('{csv_path}', header = true)"
            )
        else:
            copy = f"copy plain_telemetry ({CSV_COLUMNS}) from stdin with (format csv, header true)"
            with open(csv_path, "rb") as fh:
                cur.copy_expert(copy, fh)
        con.commit()
        seconds = time.perf_counter() - t0
        cur.execute("drop table plain_telemetry")  # its partitions go with it
        con.commit()
        return seconds
    finally:
        con.close()


def run(ctx) -> list[dict]:
    from bench.measure import python_cmd, run_measured
    from predelq.db import Target

    csv_path = ctx.workdir / "telemetry_bench.csv"
    t0 = time.perf_counter()
    rows = write_telemetry_csv(csv_path)
    out = [
        {
            "name": "write test file",
            "seconds": time.perf_counter() - t0,
            "rows": rows,
            "note": f"{DEVICES} devices x {MINUTES} min, {csv_path.stat().st_size / 1e6:.0f} MB CSV",
        }
    ]
    engines = [("duckdb", {"PREDELQ_TARGET": "dev", "PREDELQ_DUCKDB_PATH": str(ctx.workdir / "load.duckdb")})]
    if ctx.pg:
        db = f"predelq_bench_load_{uuid.uuid4().hex[:8]}"
        engines.append(("postgres", {"PREDELQ_TARGET": "pg", "PREDELQ_PG_DATABASE": db}))
    for engine, env_vars in engines:
        env = {**os.environ, **env_vars}
        saved = {k: os.environ.get(k) for k in env_vars}
        os.environ.update(env_vars)
        try:
            target = Target.from_env()
            try:
                seed_warehouse(target)
            except Exception as exc:  # noqa: BLE001 - e.g. no PostgreSQL server: reported, not fatal
                out.append({"name": "predelq load", "engine": engine, "note": f"skipped: {exc}"})
                continue
            m = run_measured(python_cmd("-m", "predelq.cli", "load", "--no-progress", str(csv_path)), env=env)
            loaded = _count(target, "select count(*) from raw.raw_telemetry")
            ours = m["seconds"]
            plain = engine_bulk_load(target, csv_path)
            shaped = engine_bulk_load(target, csv_path, shaped=True)
            partitioned = (
                engine_bulk_load(target, csv_path, shaped="partitioned") if engine == "postgres" else None
            )
            out.append(
                {
                    "name": "predelq load",
                    "engine": engine,
                    "seconds": ours,
                    "rows": loaded,
                    "rows_per_s": loaded / ours,
                    "peak_mb": m["peak_mb"],
                    "ratio": ours / plain,
                    "note": "parse + check + resolve + dedupe + write, one transaction; ratio vs bulk load",
                }
            )
            out.append(
                {
                    "name": "engine bulk load",
                    "engine": engine,
                    "seconds": plain,
                    "rows": rows,
                    "rows_per_s": rows / plain,
                    "note": ("read_csv" if engine == "duckdb" else "COPY") + " into a plain table",
                }
            )
            out.append(
                {
                    "name": "engine bulk load, raw-shaped",
                    "engine": engine,
                    "seconds": shaped,
                    "rows": rows,
                    "rows_per_s": rows / shaped,
                    "ratio": ours / shaped,
                    "note": "into a copy of raw.raw_telemetry: same types"
                    + (" and indexes" if engine == "postgres" else "")
                    + ", ids generated; ratio = predelq load / this",
                }
            )
            if partitioned:
                out.append(
                    {
                        "name": "engine bulk load, partitioned like raw",
                        "engine": engine,
                        "seconds": partitioned,
                        "rows": rows,
                        "rows_per_s": rows / partitioned,
                        "ratio": ours / partitioned,
                        "note": "COPY into a table partitioned by day like raw.raw_telemetry (same "
                        "partitions and indexes), ids generated; ratio = predelq load / this (goal <= 2)",
                    }
                )
        finally:
            _drop(target)
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
    return out


def _count(target, sql: str) -> int:
    con = target.connect()
    try:
        cur = con.cursor()
        cur.execute(sql)
        return int(cur.fetchone()[0])
    finally:
        con.close()


def _drop(target) -> None:
    if target.engine != "postgres":
        return
    import psycopg2

    params = {k: v for k, v in target.pg_params.items() if v != ""}
    name = params.pop("dbname")
    try:
        con = psycopg2.connect(dbname="postgres", **params)
    except psycopg2.OperationalError:
        return
    con.autocommit = True
    with con.cursor() as cur:
        cur.execute(f'drop database if exists "{name}" with (force)')
    con.close()
