"""Apache Spark as a warehouse (issue 16): the session, a DB-API-like connection, raw writes.

The `spark` target of profiles.example.yml runs dbt-spark's `session` method:
PySpark in the same process (local[N] master), tables as Parquet in a warehouse
folder, the catalog in an embedded Derby Hive metastore beside it. `session()`
builds the very same SparkSession from the same PREDELQ_SPARK_* variables, and
since a process has one SparkSession (`getOrCreate`), the simulator, the
scorer, the tests and dbt running in-process all see the same tables.

A Derby metastore admits one process at a time: run one `predelq ... --target
spark` command at a time per warehouse (a cluster's metastore has no such limit).

`SparkConnection` gives the few DB-API calls the project's Python uses
(cursor/execute/fetchall/commit/close) on top of `spark.sql`; `%s` parameters
are rendered as SQL literals. Spark has no transactions: commit and rollback
do nothing, and writers replace whole tables or partitions instead.
"""

from __future__ import annotations

import datetime as dt
import decimal
import os
from pathlib import Path

from predelq.db import PROJECT_DIR


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


def _abs(path: str) -> str:
    p = Path(path)
    return str(p if p.is_absolute() else PROJECT_DIR / p)


def spark_conf() -> dict[str, str]:
    """The session's settings: the same as the profile's server_side_parameters."""
    metastore = _abs(_env("PREDELQ_SPARK_METASTORE", "target/spark/metastore_db"))
    return {
        "spark.master": _env("PREDELQ_SPARK_MASTER", "local[2]"),
        "spark.driver.memory": _env("PREDELQ_SPARK_DRIVER_MEMORY", "4g"),
        "spark.sql.warehouse.dir": _abs(_env("PREDELQ_SPARK_WAREHOUSE", "target/spark/warehouse")),
        "spark.hadoop.javax.jdo.option.ConnectionURL": f"jdbc:derby:;databaseName={metastore};create=true",
        "spark.sql.shuffle.partitions": _env("PREDELQ_SPARK_SHUFFLE_PARTITIONS", "4"),
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.sources.partitionOverwriteMode": "dynamic",
        "spark.sql.legacy.timeParserPolicy": "CORRECTED",
        # exact decimal products (sums of squares of numeric(38,10) values), as on DuckDB and
        # Postgres; by default Spark cuts such a product to 6 decimals
        "spark.sql.decimalOperations.allowPrecisionLoss": "false",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        # Derby writes derby.log into the working folder unless told otherwise
        "spark.driver.extraJavaOptions": "-Dderby.system.home="
        + _abs(_env("PREDELQ_SPARK_DERBY_HOME", "target/spark")),
        # dbt-spark sets this too (session method): keep the two identical
        "spark.sql.ansi.enabled": "false",
    }


def session():
    """The process's SparkSession (created on first use; ~20-30 s to start Java)."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    conf = spark_conf()
    Path(conf["spark.sql.warehouse.dir"]).mkdir(parents=True, exist_ok=True)
    Path(_abs(_env("PREDELQ_SPARK_DERBY_HOME", "target/spark"))).mkdir(parents=True, exist_ok=True)
    _utc_process()
    os.environ.setdefault("PYSPARK_PYTHON", _python())
    builder = SparkSession.builder.enableHiveSupport()
    for key, value in conf.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _utc_process() -> None:
    """PySpark turns TIMESTAMP values into naive datetimes (and back) in the Python
    process's local time zone: make it UTC, like every connection of the project."""
    import time

    if time.timezone != 0 or time.daylight:
        os.environ["TZ"] = "UTC"
        time.tzset()


def _python() -> str:
    import sys

    return sys.executable


def describe() -> str:
    conf = spark_conf()
    return f"Spark {conf['spark.master']} warehouse {conf['spark.sql.warehouse.dir']}"


# --------------------------------------------------------------------- SQL literals
def literal(value) -> str:
    """A Python value as a Spark SQL literal."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float | decimal.Decimal):
        return repr(float(value)) if isinstance(value, float) else str(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


def render(sql: str, params=None) -> str:
    if not params:
        return sql
    parts = sql.split("%s")
    if len(parts) - 1 != len(params):
        raise ValueError(f"{len(parts) - 1} placeholders, {len(params)} parameters")
    out = [parts[0]]
    for value, rest in zip(params, parts[1:], strict=True):
        out += [literal(value), rest]
    return "".join(out)


class SparkCursor:
    def __init__(self, spark):
        self.spark = spark
        self._rows: list[tuple] = []
        self.description = None

    def execute(self, sql: str, params=None):
        df = self.spark.sql(render(sql, params))
        self.description = [(name, None) for name in df.columns] if df.columns else None
        self._rows = [tuple(r) for r in df.collect()] if df.columns else []
        return self

    def fetchall(self) -> list[tuple]:
        rows, self._rows = self._rows, []
        return rows

    def fetchone(self):
        return self._rows.pop(0) if self._rows else None

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class SparkConnection:
    """DB-API-shaped access to the SparkSession (no transactions; close keeps the session)."""

    def __init__(self, spark=None):
        self.spark = spark or session()

    def cursor(self) -> SparkCursor:
        return SparkCursor(self.spark)

    def execute(self, sql: str, params=None) -> SparkCursor:
        return self.cursor().execute(sql, params)

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass

    def close(self) -> None:
        pass


def stop() -> None:
    """Stop the process's SparkSession (releases the Derby metastore lock)."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        active.stop()
