"""One small adapter over a DuckDB or psycopg2 connection.

The scorer writes SQL once with `%s` placeholders; on DuckDB they become `?`.
`Db.transaction()` makes a block atomic on both engines; inside a dbt Python model
(DuckDB session already in dbt's transaction) it joins the open transaction.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

import pandas as pd


class Db:
    def __init__(self, con, engine: str):
        if engine not in ("duckdb", "postgres"):
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
        rows = self.query(
            "select count(*) from information_schema.tables where table_schema = %s and table_name = %s",
            [schema, table],
        )
        return bool(rows[0][0])

    def columns(self, schema: str, table: str) -> list[str]:
        rows = self.query(
            "select column_name from information_schema.columns "
            "where table_schema = %s and table_name = %s order by ordinal_position",
            [schema, table],
        )
        return [r[0] for r in rows]

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Db]:
        """All statements inside commit together or not at all."""
        if self._in_tx:
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
        from ml.schema import all_ddl

        for stmt in all_ddl(self.engine):
            self.execute(stmt)


def _duckdb_begin(con) -> bool:
    """BEGIN on DuckDB; False when a transaction is already open (dbt's, in a Python model)."""
    try:
        con.execute("BEGIN TRANSACTION")
        return True
    except Exception as exc:  # duckdb.TransactionException
        if "within a transaction" in str(exc).lower():
            return False
        raise
