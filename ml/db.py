"""One small adapter over a DuckDB or psycopg2 connection.

The scorer writes SQL once with `%s` placeholders; on DuckDB they become `?`.
`Db.transaction()` makes a block atomic on both engines; on a DuckDB connection
already in a transaction it joins the open transaction.

Spark (issue 16; predelq.spark.SparkConnection over the process's SparkSession):
reads go through `spark.sql(...)` and come back to the driver as pandas; inserts
go through a Spark DataFrame made from the rows. Parquet tables have no DELETE or
UPDATE, so the scorer's few `delete from T where C` / `update T set c = v where C`
statements are run as a rewrite of the table (`SparkTableRewrite`), and
transactions are not atomic: a failed scoring is repaired by the next run, which
replaces the same days. Scale: the scorer pulls the features of the days it
scores to the driver (fine for ~10^5 account-days); for a lender of 10^6+
accounts the same `predict_proba` runs per partition with `mapInPandas` over the
feature table (the model is a few MB of joblib, broadcast), written with
insert_overwrite by as_of_date (see README "Spark").
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Sequence

import pandas as pd


class Db:
    def __init__(self, con, engine: str):
        if engine not in ("duckdb", "postgres", "spark"):
            raise ValueError(f"unknown engine {engine!r}")
        self.con = con
        self.engine = engine
        self._in_tx = False

    @classmethod
    @contextlib.contextmanager
    def open(cls, target) -> Iterator[Db]:
        """Connect to a predelq.db.Target; closed on exit."""
        con = target.connect()
        try:
            yield cls(con, target.engine)
        finally:
            con.close()

    def _sql(self, sql: str) -> str:
        return sql.replace("%s", "?") if self.engine == "duckdb" else sql

    def execute(self, sql: str, params: Sequence | None = None) -> None:
        if self.engine == "spark":
            _spark_execute(self.con.spark, sql, params)
            return
        cur = self.con.cursor() if self.engine == "postgres" else self.con
        if params is None:
            cur.execute(self._sql(sql))
        else:
            cur.execute(self._sql(sql), list(params))
        if self.engine == "postgres" and not self._in_tx:
            self.con.commit()

    def insert_rows(self, table: str, columns: list[str], rows: list[Sequence]) -> None:
        """Insert many rows (DuckDB: through a registered DataFrame, fast; PostgreSQL: batched)."""
        if not rows:
            return
        names = ", ".join(columns)
        if self.engine == "spark":
            _spark_insert(self.con.spark, table, columns, rows)
            return
        if self.engine == "postgres":
            from psycopg2.extras import execute_values

            with self.con.cursor() as cur:
                execute_values(cur, f"insert into {table} ({names}) values %s", rows, page_size=1000)
            if not self._in_tx:
                self.con.commit()
            return
        frame = pd.DataFrame.from_records([tuple(r) for r in rows], columns=columns)
        view = f"_ml_insert_{abs(hash(table))}"
        self.con.register(view, frame)
        try:
            self.con.execute(f"insert into {table} ({names}) select {names} from {view}")
        finally:
            self.con.unregister(view)

    def query(self, sql: str, params: Sequence | None = None) -> list[tuple]:
        if self.engine == "spark":
            return self.con.cursor().execute(sql, params).fetchall()
        if self.engine == "postgres":
            with self.con.cursor() as cur:
                cur.execute(sql, params)
                rows = cur.fetchall()
            if not self._in_tx:
                self.con.commit()  # end the read transaction
            return [tuple(r) for r in rows]
        res = self.con.execute(self._sql(sql), list(params) if params is not None else None)
        return [tuple(r) for r in res.fetchall()]

    def query_df(self, sql: str, params: Sequence | None = None) -> pd.DataFrame:
        if self.engine == "spark":
            from predelq.spark import render

            df = self.con.spark.sql(render(sql, params))
            return pd.DataFrame.from_records([tuple(r) for r in df.collect()], columns=df.columns)
        if self.engine == "postgres":
            with self.con.cursor() as cur:
                cur.execute(sql, params)
                cols = [d[0] for d in cur.description]
                rows = cur.fetchall()
            if not self._in_tx:
                self.con.commit()
            return pd.DataFrame.from_records(rows, columns=cols)
        res = self.con.execute(self._sql(sql), list(params) if params is not None else None)
        return res.df()

    def relation_exists(self, schema: str, table: str) -> bool:
        if self.engine == "spark":
            return self.con.spark.catalog.tableExists(f"{schema}.{table}")
        rows = self.query(
            "select count(*) from information_schema.tables where table_schema = %s and table_name = %s",
            [schema, table],
        )
        return bool(rows[0][0])

    def columns(self, schema: str, table: str) -> list[str]:
        if self.engine == "spark":
            if not self.relation_exists(schema, table):
                return []
            return list(self.con.spark.table(f"{schema}.{table}").columns)
        rows = self.query(
            "select column_name from information_schema.columns "
            "where table_schema = %s and table_name = %s order by ordinal_position",
            [schema, table],
        )
        return [r[0] for r in rows]

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Db]:
        """All statements inside commit together or not at all."""
        if self._in_tx or self.engine == "spark":  # Spark: no transactions (see the module doc)
            yield self
            return
        if self.engine == "postgres":
            self.con.commit()  # close any implicit read transaction first
            self._in_tx = True
            try:
                yield self
                self.con.commit()
            except BaseException:
                self.con.rollback()
                raise
            finally:
                self._in_tx = False
            return
        owns = _duckdb_begin(self.con)
        self._in_tx = True
        try:
            yield self
            if owns:
                self.con.execute("COMMIT")
        except BaseException:
            if owns:
                self.con.execute("ROLLBACK")
            raise
        finally:
            self._in_tx = False

    def ensure_ml_schema(self) -> None:
        """Create the ml landing tables if missing (no-op when they exist)."""
        from predelq.landing import ML_SCHEMA, schema_ddl

        for stmt in schema_ddl(ML_SCHEMA, self.engine):
            self.execute(stmt)


def _duckdb_begin(con) -> bool:
    """BEGIN on DuckDB; False when a transaction is already open (the caller's)."""
    try:
        con.execute("BEGIN TRANSACTION")
        return True
    except Exception as exc:  # duckdb.TransactionException
        if "within a transaction" in str(exc).lower():
            return False
        raise


# --- Spark: DELETE / UPDATE as table rewrites, inserts through DataFrames -------------------
_DELETE = re.compile(r"^\s*delete\s+from\s+(?P<table>[\w.]+)\s+where\s+(?P<cond>.+)$", re.I | re.S)
_UPDATE = re.compile(
    r"^\s*update\s+(?P<table>[\w.]+)\s+set\s+(?P<col>\w+)\s*=\s*(?P<value>.+?)\s+where\s+(?P<cond>.+)$",
    re.I | re.S,
)


def _spark_execute(spark, sql: str, params) -> None:
    from predelq.spark import render

    text = render(sql, params)
    if m := _DELETE.match(text):
        keep = f"not coalesce(({m['cond']}), false)"
        _spark_rewrite(spark, m["table"], f"select * from {m['table']} where {keep}")
    elif m := _UPDATE.match(text):
        cols = spark.table(m["table"]).columns
        select = ", ".join(
            f"case when coalesce(({m['cond']}), false) then {m['value']} else {c} end as {c}"
            if c.lower() == m["col"].lower()
            else c
            for c in cols
        )
        _spark_rewrite(spark, m["table"], f"select {select} from {m['table']}")
    else:
        spark.sql(text)


def _spark_rewrite(spark, table: str, select: str) -> None:
    """Replace a table's rows by `select` (which reads the table itself): the rows are
    materialised first, since Spark cannot overwrite files it is reading."""
    kept = spark.sql(select).localCheckpoint(eager=True)
    kept.write.insertInto(table, overwrite=True)


def _spark_insert(spark, table: str, columns: list[str], rows) -> None:
    schema = {f.name: f.dataType.simpleString() for f in spark.table(table).schema}
    records = [[_spark_value(v) for v in r] for r in rows]
    frame = spark.createDataFrame(records, schema=", ".join(f"`{c}` {schema[c]}" for c in columns))
    # the table's column order (insertInto is positional); absent columns are null
    ordered = [f"`{c}`" if c in columns else f"cast(null as {t}) as `{c}`" for c, t in schema.items()]
    frame.selectExpr(*ordered).write.insertInto(table)


def _spark_value(v):
    import datetime as dt

    import numpy as np

    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime()
    if isinstance(v, dt.datetime) and v.tzinfo is not None:
        v = v.astimezone(dt.UTC).replace(tzinfo=None)
    if isinstance(v, float) and v != v:
        return None
    return v
