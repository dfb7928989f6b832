"""Connections to the warehouse, configured exactly like profiles.example.yml.

The CLI, the simulator, the loader and the tests reach the database through
`Target`, which reads the same environment variables (and defaults) as the dbt
profile, so `predelq ...` and `dbt ...` always talk to the same database.
"""

from __future__ import annotations

import contextlib
import getpass
import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def _env(*names: str, default: str) -> str:
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    return default


@dataclass(frozen=True)
class Target:
    """A dbt target of the `predelq` profile: `dev` (DuckDB), `pg` (PostgreSQL) or `spark`."""

    name: str

    @classmethod
    def from_env(cls, name: str | None = None) -> Target:
        name = name or os.environ.get("PREDELQ_TARGET", "dev")
        if name not in ("dev", "pg", "spark"):
            raise ValueError(f"unknown target {name!r}: use 'dev' (DuckDB), 'pg' (PostgreSQL) or 'spark'")
        return cls(name)

    @property
    def engine(self) -> str:
        return {"dev": "duckdb", "spark": "spark"}.get(self.name, "postgres")

    # --- DuckDB -------------------------------------------------------------
    @property
    def duckdb_path(self) -> Path:
        path = Path(_env("PREDELQ_DUCKDB_PATH", default="predelq.duckdb"))
        return path if path.is_absolute() else PROJECT_DIR / path

    # --- PostgreSQL ---------------------------------------------------------
    @property
    def pg_params(self) -> dict:
        return {
            "host": _env("PREDELQ_PG_HOST", "PGHOST", default="127.0.0.1"),
            "port": int(_env("PREDELQ_PG_PORT", "PGPORT", default="5432")),
            "user": _env("PREDELQ_PG_USER", "PGUSER", "USER", default=_current_user()),
            "password": _env("PREDELQ_PG_PASSWORD", "PGPASSWORD", default=""),
            "dbname": _env("PREDELQ_PG_DATABASE", default="predelq"),
            "sslmode": _env("PREDELQ_PG_SSLMODE", default="prefer"),
            "connect_timeout": 10,
        }

    def describe(self) -> str:
        if self.engine == "duckdb":
            return f"DuckDB file {self.duckdb_path}"
        if self.engine == "spark":
            from predelq.spark import describe

            return describe()
        p = self.pg_params
        return f"PostgreSQL {p['user']}@{p['host']}:{p['port']}/{p['dbname']}"

    def connect(self):
        """A DB-API connection (duckdb, psycopg2 or predelq.spark's). The caller closes it."""
        if self.engine == "duckdb":
            import duckdb

            self.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
            con = duckdb.connect(str(self.duckdb_path))
            con.execute("SET TimeZone = 'UTC'")
            con.execute("SET enable_progress_bar = false")
            # same bound as the dbt profile: DuckDB would otherwise take 80% of RAM
            con.execute(f"SET memory_limit = '{_env('PREDELQ_DUCKDB_MEMORY', default='6GB')}'")
            return con
        if self.engine == "spark":
            from predelq.spark import SparkConnection

            return SparkConnection()
        import psycopg2

        params = {k: v for k, v in self.pg_params.items() if v != ""}
        con = psycopg2.connect(**params)
        with con.cursor() as cur:
            cur.execute("SET TIME ZONE 'UTC'")
        con.commit()
        return con

    def ensure_database(self) -> bool:
        """Create the PostgreSQL database if it does not exist. True if created."""
        if self.engine != "postgres":
            return False
        import psycopg2
        from psycopg2 import sql

        params = {k: v for k, v in self.pg_params.items() if v != ""}
        dbname = params.pop("dbname")
        last_error = None
        for maintenance_db in ("postgres", "template1"):
            try:
                con = psycopg2.connect(dbname=maintenance_db, **params)
            except psycopg2.OperationalError as exc:
                last_error = exc
                continue
            con.autocommit = True
            try:
                with con.cursor() as cur:
                    cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,))
                    if cur.fetchone():
                        return False
                    cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
                    return True
            finally:
                con.close()
        raise RuntimeError(f"cannot reach PostgreSQL to create database {dbname!r}: {last_error}")


def _current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no passwd entry
        return "postgres"


@contextlib.contextmanager
def connection(target: Target):
    con = target.connect()
    try:
        yield con
    finally:
        con.close()


def execute_all(con, statements: list[str]) -> None:
    cur = con.cursor()
    for stmt in statements:
        cur.execute(stmt)
    if hasattr(con, "commit"):
        con.commit()
