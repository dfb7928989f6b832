"""Writing Arrow tables into the target: DuckDB by Arrow scan, PostgreSQL by COPY,
Spark by Parquet files (written by DuckDB, loaded into Parquet tables at close()).

Both paths run the same SELECT (casts to the declared column types) in DuckDB:
on DuckDB it feeds an INSERT; for PostgreSQL an in-memory DuckDB turns it into
CSV, which psycopg2 streams with COPY ... FROM STDIN. So values are formatted
identically on both engines.

`reset()` makes the tables a simulation replaces (REPLACED) exist with the
current column lists and empty: on DuckDB they are dropped and re-created
(frees the old telemetry's space; DuckDB views re-bind by name); on PostgreSQL
they are truncated (dbt's views depend on raw), a truth table of an older
layout is re-created. Other tables are only created if missing.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pyarrow as pa

from predelq import partitions
from predelq.errors import UserError
from predelq.landing import (
    RAW_SCHEMA,
    RAW_TABLES,
    SPARK_PARTITIONS,
    TRUTH_SCHEMA,
    TRUTH_TABLES,
    column_type,
    ddl,
)

SCHEMAS = {RAW_SCHEMA: RAW_TABLES, TRUTH_SCHEMA: TRUTH_TABLES}
DUCKDB_MEMORY_LIMIT = os.environ.get("PREDELQ_SIMULATE_DUCKDB_MEMORY", "1GB")

# Raw tables a simulation replaces: the ones it generates, and the loader's bookkeeping
# (its batches describe rows that are gone). Other raw tables (event_actions: human
# input) are created if missing and left alone.
GENERATED = [
    "oems", "asset_models", "customers", "accounts", "assets", "entity_identifiers", "pois",
    "repayment_schedule", "payments", "delinquency_events", "raw_telemetry", "raw_telemetry_archive",
]  # fmt: skip
REPLACED = {RAW_SCHEMA: [*GENERATED, "load_batches", "load_quarantine"], TRUTH_SCHEMA: list(TRUTH_TABLES)}


def _select(schema: str, table: str, present: list[str], as_text: tuple[str, ...] = ()) -> str:
    parts = []
    for name, typ, _ in SCHEMAS[schema][table]:
        t = column_type(typ, "duckdb")
        value = f'CAST("{name}" AS {t})' if name in present else f"CAST(NULL AS {t})"
        if typ in as_text:  # Spark reads no UUID/JSON Parquet type: the same text
            value = f"CAST({value} AS VARCHAR)"
        parts.append(f'{value} AS "{name}"')
    return ", ".join(parts)


def _columns(schema: str, table: str) -> str:
    return ", ".join(f'"{name}"' for name, _, _ in SCHEMAS[schema][table])


class Writer:
    def __init__(self, target, con):
        self.target = target
        self.con = con
        self.engine = target.engine
        self.rows: dict[str, int] = {}
        self._duck = None
        self._tmp = None
        self._spark_files: dict[tuple[str, str], list[Path]] = {}
        if self.engine == "duckdb":
            # DuckDB keeps written blocks cached up to its memory limit (80% of RAM by
            # default); a run writes gigabytes, so bound it. Plenty for Arrow inserts.
            con.execute(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")

    # ------------------------------------------------------------------ setup
    def reset(self) -> None:
        from predelq.landing import all_ddl

        cur = self.con.cursor()
        if self.engine == "spark":
            for stmt in all_ddl(self.engine, include_truth=True):
                cur.execute(stmt)
            for schema, names in REPLACED.items():
                for table in names:
                    if table in SCHEMAS[schema]:
                        cur.execute(f"DROP TABLE IF EXISTS {schema}.{table}")
                        cur.execute(ddl(schema, table, SCHEMAS[schema][table], self.engine))
            return
        for stmt in all_ddl(self.engine, include_truth=True):
            if not stmt.upper().startswith("CREATE INDEX"):
                cur.execute(stmt)
        for schema, names in REPLACED.items():
            for table in names:
                if table not in SCHEMAS[schema]:
                    continue
                cols = SCHEMAS[schema][table]
                if self.engine == "duckdb":
                    cur.execute(f"DROP TABLE IF EXISTS {schema}.{table}")
                    cur.execute(ddl(schema, table, cols, self.engine))
                    continue
                have = self._existing_columns(cur, schema, table)
                want = [c for c, _, _ in cols]
                if have == want:
                    cur.execute(f"TRUNCATE {schema}.{table}")
                elif schema == TRUTH_SCHEMA:  # an older truth layout: nothing but evaluation reads it
                    cur.execute(f"DROP TABLE {schema}.{table}")
                    cur.execute(ddl(schema, table, cols, self.engine))
                else:
                    raise UserError(
                        f"{schema}.{table} has columns {have}, expected {want}: "
                        f"drop it (or the database) and run `predelq db-create`"
                    )
        for stmt in all_ddl(self.engine, include_truth=True):
            if stmt.upper().startswith("CREATE INDEX"):
                cur.execute(stmt)
        self.con.commit()

    @staticmethod
    def _existing_columns(cur, schema: str, table: str) -> list[str]:
        cur.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
            (schema, table),
        )
        return [r[0] for r in cur.fetchall()]

    # ------------------------------------------------------------------ write
    def write(self, schema: str, table: str, tab: pa.Table) -> None:
        if tab.num_rows == 0:
            return
        select = _select(schema, table, tab.column_names)
        if self.engine == "duckdb":
            self.con.register("_sim_src", tab)
            try:
                self.con.execute(f"INSERT INTO {schema}.{table} SELECT {select} FROM _sim_src")
            finally:
                self.con.unregister("_sim_src")
        elif self.engine == "spark":
            self._parquet_spark(schema, table, tab)
        else:
            self._copy_pg(schema, table, tab, select)
        key = f"{schema}.{table}"
        self.rows[key] = self.rows.get(key, 0) + tab.num_rows

    def _copy_pg(self, schema, table, tab, select) -> None:
        import duckdb

        if self._duck is None:
            self._duck = duckdb.connect()
            self._duck.execute("SET TimeZone = 'UTC'")
            self._tmp = tempfile.TemporaryDirectory(prefix="predelq-sim-")
        path = Path(self._tmp.name) / f"{schema}.{table}.csv"
        self._duck.register("_sim_src", tab)
        try:
            self._duck.execute(f"COPY (SELECT {select} FROM _sim_src) TO '{path}' (FORMAT csv, HEADER false)")
            span = None
            if schema == "raw" and table in partitions.TABLES:
                ts = "CAST(ts AS TIMESTAMPTZ)"
                span = self._duck.execute(f"SELECT min({ts}), max({ts}) FROM _sim_src").fetchall()[0]
        finally:
            self._duck.unregister("_sim_src")
        if span:
            with self.con.cursor() as cur:
                partitions.ensure_days(cur, table, *span)
        with open(path, encoding="utf-8") as f, self.con.cursor() as cur:
            cur.copy_expert(
                f"COPY {schema}.{table} ({_columns(schema, table)}) FROM STDIN WITH (FORMAT csv)", f
            )
        os.unlink(path)

    def _scratch(self):
        import duckdb

        if self._duck is None:
            self._duck = duckdb.connect()
            self._duck.execute("SET TimeZone = 'UTC'")
            self._tmp = tempfile.TemporaryDirectory(prefix="predelq-sim-")
        return self._duck, Path(self._tmp.name)

    def _parquet_spark(self, schema, table, tab) -> None:
        """The rows as a Parquet file, cast by the same SELECT as on the other engines."""
        duck, folder = self._scratch()
        files = self._spark_files.setdefault((schema, table), [])
        path = folder / f"{schema}.{table}" / f"part-{len(files):05d}.parquet"
        path.parent.mkdir(exist_ok=True)
        select = _select(schema, table, tab.column_names, as_text=("uuid", "json"))
        duck.register("_sim_src", tab)
        try:
            duck.execute(f"COPY (SELECT {select} FROM _sim_src) TO '{path}' (FORMAT parquet)")
        finally:
            duck.unregister("_sim_src")
        files.append(path)

    def _flush_spark(self) -> None:
        """Load the Parquet files into the Spark tables (one INSERT per table)."""
        spark = self.con.spark
        for (schema, table), files in self._spark_files.items():
            cols = SCHEMAS[schema][table]
            names = [f"CAST(`{name}` AS {column_type(typ, 'spark')})" for name, typ, _ in cols]
            part = SPARK_PARTITIONS.get(table)
            if part:
                names.append(part[2])
            spark.read.parquet(*[str(f) for f in files]).createOrReplaceTempView("_sim_src")
            try:
                spark.sql(f"INSERT INTO {schema}.{table} SELECT {', '.join(names)} FROM _sim_src")
            finally:
                spark.catalog.dropTempView("_sim_src")
        self._spark_files = {}

    def commit(self) -> None:
        self.con.commit()

    def close(self) -> None:
        if self.engine == "spark" and self._spark_files:
            self._flush_spark()
        if self._duck is not None:
            self._duck.close()
            self._tmp.cleanup()
            self._duck = None
