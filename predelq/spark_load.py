"""`predelq load --target spark`: the loader's rules, with Spark as the warehouse.

The loader (predelq/loader) runs its checks, de-duplication and quarantine as SQL
inside one transaction per file, which Parquet tables cannot give. So for Spark
it runs unchanged against a scratch DuckDB mirror of `raw`: every raw table is
copied from Spark into the mirror (through Parquet), the files are loaded there
exactly as on DuckDB, and the rows the loader appended (load_batches,
load_quarantine and the target tables) are appended to the Spark tables
(telemetry into its day partitions). Same files, same rows as on the other
engines; a file already loaded is skipped because its batch is in the copy of
raw.load_batches.

Cost: the copy of raw is proportional to raw (fine for local Spark, the
development and test engine). On a cluster the lender's ingestion writes raw
directly; this path is not meant for 144 M readings a day. Not atomic across
tables: a crash between two appends leaves a file half appended; re-running
skips nothing of it (its batch row is appended last), so the whole file loads
again, and the duplicates check of that run quarantines the rows already there.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from predelq.landing import RAW_SCHEMA, RAW_TABLES, SPARK_PARTITIONS, column_type


def _spark_to_duck(spark, duck, table: str, folder: Path) -> int:
    cols = RAW_TABLES[table]
    path = folder / f"export_{table}"
    names = ", ".join(f"`{c}`" for c, _, _ in cols)
    spark.sql(f"select {names} from {RAW_SCHEMA}.{table}").write.mode("overwrite").parquet(str(path))
    files = sorted(path.glob("*.parquet"))
    if files:
        select = ", ".join(f'CAST("{c}" AS {column_type(t, "duckdb")})' for c, t, _ in cols)
        listing = ", ".join(f"'{f}'" for f in files)
        duck.execute(f"INSERT INTO {RAW_SCHEMA}.{table} SELECT {select} FROM read_parquet([{listing}])")
    return duck.execute(f"SELECT count(*) FROM {RAW_SCHEMA}.{table}").fetchone()[0]


def _duck_to_spark(spark, duck, table: str, first_rowid: int, folder: Path) -> int:
    cols = RAW_TABLES[table]
    n = duck.execute(f"SELECT count(*) FROM {RAW_SCHEMA}.{table} WHERE rowid >= {first_rowid}").fetchone()[0]
    if n == 0:
        return 0
    path = folder / f"new_{table}.parquet"
    select = ", ".join(
        f'CAST("{c}" AS VARCHAR) AS "{c}"' if t in ("uuid", "json") else f'"{c}"' for c, t, _ in cols
    )
    duck.execute(
        f"COPY (SELECT {select} FROM {RAW_SCHEMA}.{table} WHERE rowid >= {first_rowid} ORDER BY rowid) "
        f"TO '{path}' (FORMAT parquet)"
    )
    exprs = [f"CAST(`{c}` AS {column_type(t, 'spark')})" for c, t, _ in cols]
    part = SPARK_PARTITIONS.get(table)
    if part:
        exprs.append(part[2])
    spark.read.parquet(str(path)).createOrReplaceTempView("_load_src")
    try:
        spark.sql(f"INSERT INTO {RAW_SCHEMA}.{table} SELECT {', '.join(exprs)} FROM _load_src")
    finally:
        spark.catalog.dropTempView("_load_src")
    return n


def load_files_spark(target, files, kind=None, retry_refused=False, progress=None, echo=print):
    import duckdb

    from predelq.db import execute_all
    from predelq.landing import all_ddl
    from predelq.loader.core import Loader, ensure_tables
    from predelq.spark import session

    spark = session()
    execute_all(target.connect(), [s for s in all_ddl("spark", include_truth=False)])
    results = []
    with tempfile.TemporaryDirectory(prefix="predelq-load-spark-") as tmp:
        folder = Path(tmp)
        duck = duckdb.connect(str(folder / "mirror.duckdb"))
        duck.execute("SET TimeZone = 'UTC'")
        try:
            ensure_tables(duck, "duckdb")
            before = {t: _spark_to_duck(spark, duck, t, folder) for t in RAW_TABLES}
            loader = Loader(duck, "duckdb", progress=progress)
            duck.execute("set memory_limit = ?", [loader.settings.duckdb_memory_limit])
            for f in files:
                result = loader.load(f, kind=kind, retry_refused=retry_refused)
                echo(result.line())
                results.append(result)
            # the batch rows last: a file whose rows are not all in Spark is not "loaded" there
            order = [t for t in RAW_TABLES if t != "load_batches"] + ["load_batches"]
            for t in order:
                _duck_to_spark(spark, duck, t, before[t], folder)
        finally:
            duck.close()
    loaded = [r for r in results if r.status == "loaded"]
    echo(
        f"{len(files)} file(s): {len(loaded)} loaded ({sum(r.rows_loaded for r in loaded):,} rows, "
        f"{sum(r.rows_quarantined for r in loaded):,} quarantined) on {target.describe()}"
    )
    return results
