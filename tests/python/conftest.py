"""Shared pytest fixtures: throwaway warehouses on DuckDB and PostgreSQL.

Every test that builds a warehouse gets its own database: a DuckDB file under
pytest's tmp_path, or a PostgreSQL database `predelq_test_<random>` dropped at
the end. dbt runs in-process (dbtRunner) and reads its connection from env vars
(profiles.example.yml), so `warehouse_env()` sets them for the duration.

PostgreSQL tests are marked `postgres`. Without a reachable server they skip with
the reason, except when CI=true, where the missing server is a failure.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

import pytest

from predelq.db import PROJECT_DIR, Target

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

if os.environ.get("PYTEST_XDIST_WORKER"):
    # A pytest-xdist worker's __main__ has neither __spec__ nor __file__. pyspark.sql.connect
    # (imported by great-expectations) takes that for a doctest run and calls sys.exit(0)
    # (pyspark/sql/connect/utils.py, check_dependencies): name the worker's main module.
    import __main__

    if getattr(__main__, "__spec__", None) is None and not hasattr(__main__, "__file__"):
        __main__.__file__ = "pytest-xdist-worker"


@contextlib.contextmanager
def warehouse_env(**env: str):
    """Temporarily set environment variables (None removes one)."""
    saved = {k: os.environ.get(k) for k in env}
    try:
        for k, v in env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = str(v)
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _pg_reason() -> str | None:
    """None if PostgreSQL answers, else why not."""
    try:
        import psycopg2

        params = Target("pg").pg_params
        params = {k: v for k, v in params.items() if v != ""}
        params["dbname"] = "postgres"
        params["connect_timeout"] = 3
        psycopg2.connect(**params).close()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return f"PostgreSQL not reachable ({type(exc).__name__}: {str(exc).strip()[:120]})"


_PG_REASON: list = []


def pg_unavailable_reason() -> str | None:
    if not _PG_REASON:
        _PG_REASON.append(_pg_reason())
    return _PG_REASON[0]


def pytest_collection_modifyitems(config, items):
    reason = None
    for item in items:
        if "postgres" in item.keywords:
            reason = reason or pg_unavailable_reason() or ""
            if reason and not IN_CI:
                item.add_marker(pytest.mark.skip(reason=reason + "; set CI=true to make it fail"))


@pytest.fixture(scope="session", autouse=True)
def _scratch_outside_the_project(tmp_path_factory):
    """dbt's target and log folders and the model artifacts of commands that do not name
    their own go to this test process's temporary folder, not the project's: `make test`
    runs two processes at once (pytest-xdist), and they must not share these files.
    A test that sets one of these itself still wins."""
    base = tmp_path_factory.getbasetemp()
    defaults = {
        "DBT_TARGET_PATH": base / "dbt-target",
        "DBT_LOG_PATH": base / "dbt-logs",
        "PREDELQ_ML_ARTIFACTS": base / "ml-artifacts",
    }
    with warehouse_env(**{k: str(v) for k, v in defaults.items() if not os.environ.get(k)}):
        yield


@pytest.fixture(scope="session")
def require_pg():
    reason = pg_unavailable_reason()
    if reason:
        if IN_CI:
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)


class Warehouse:
    """One throwaway warehouse: a target plus the env vars that point dbt at it."""

    def __init__(self, target_name: str, env: dict[str, str], workdir: Path):
        self.target = Target(target_name)
        self.env = env
        self.workdir = workdir

    @property
    def engine(self) -> str:
        return self.target.engine

    @contextlib.contextmanager
    def activated(self):
        with warehouse_env(**self.env):
            yield self.target

    def dbt(self, *args: str, expect_success: bool = True):
        """Run dbt against this warehouse; returns the dbtRunnerResult."""
        from predelq.dbt import run_dbt

        extra = [
            "--target-path",
            str(self.workdir / "target"),
            "--log-path",
            str(self.workdir / "logs"),
        ]
        with self.activated() as target:
            result = run_dbt(list(args) + extra, target, raise_on_failure=False)
        if expect_success and not result.success:
            raise AssertionError(f"dbt {' '.join(args)} failed: {_failures(result)}")
        return result

    def query(self, sql: str, params=None) -> list[tuple]:
        with self.activated() as target:
            con = target.connect()
            try:
                cur = con.cursor()
                cur.execute(sql, params) if params is not None else cur.execute(sql)
                rows = cur.fetchall()
                return [tuple(r) for r in rows]
            finally:
                con.close()

    def scalar(self, sql: str, params=None):
        rows = self.query(sql, params)
        return rows[0][0] if rows else None

    def execute(self, sql: str, params=None) -> None:
        with self.activated() as target:
            con = target.connect()
            try:
                cur = con.cursor()
                cur.execute(sql, params) if params is not None else cur.execute(sql)
                con.commit()
            finally:
                con.close()

    def cli(self, *args: str) -> int:
        """Run a `predelq` subcommand against this warehouse, in-process."""
        from predelq.cli import main

        target_flag = ["--target", self.target.name]
        with self.activated():
            return main([args[0], *target_flag, *args[1:]])


def _failures(result) -> str:
    if result.exception:
        return str(result.exception)
    lines = []
    for r in getattr(result.result, "results", []) or []:
        status = str(getattr(r, "status", ""))
        if status.lower() in ("error", "fail", "runtime error"):
            lines.append(f"{r.node.unique_id}: {status}: {(r.message or '')[:400]}")
    return "; ".join(lines) or "see dbt logs"


def make_duckdb_warehouse(workdir: Path) -> Warehouse:
    workdir.mkdir(parents=True, exist_ok=True)
    env = {"PREDELQ_TARGET": "dev", "PREDELQ_DUCKDB_PATH": str(workdir / "warehouse.duckdb")}
    return Warehouse("dev", env, workdir)


@contextlib.contextmanager
def make_pg_warehouse(workdir: Path):
    """A fresh PostgreSQL database, dropped on exit."""
    import psycopg2

    workdir.mkdir(parents=True, exist_ok=True)
    name = f"predelq_test_{uuid.uuid4().hex[:10]}"
    env = {"PREDELQ_TARGET": "pg", "PREDELQ_PG_DATABASE": name}
    wh = Warehouse("pg", env, workdir)
    with wh.activated() as target:
        target.ensure_database()
    try:
        yield wh
    finally:
        params = {k: v for k, v in Target("pg").pg_params.items() if v != ""}
        params["dbname"] = "postgres"
        con = psycopg2.connect(**params)
        con.autocommit = True
        with con.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        con.close()


@pytest.fixture
def duckdb_warehouse(tmp_path) -> Warehouse:
    return make_duckdb_warehouse(tmp_path / "duckdb")


@pytest.fixture
def pg_warehouse(tmp_path, require_pg):
    with make_pg_warehouse(tmp_path / "pg") as wh:
        yield wh


@pytest.fixture(scope="session")
def project_dir() -> Path:
    return PROJECT_DIR


# --- The shared small portfolio ------------------------------------------------
# Built once per session on each engine and only read by the tests that use it.
# Tests that change data build their own warehouse instead.
SMALL_PORTFOLIO = [
    "--assets", "24", "--days", "40", "--seed", "7", "--end-date", "2026-10-31",
    "--dirty-rate", "0.002",
]  # fmt: skip


def build_small(wh: Warehouse) -> Warehouse:
    assert wh.cli("simulate", *SMALL_PORTFOLIO) == 0
    wh.dbt("build")
    return wh


@pytest.fixture(scope="session")
def built_duckdb(tmp_path_factory) -> Warehouse:
    return build_small(make_duckdb_warehouse(tmp_path_factory.mktemp("built_duckdb")))


@pytest.fixture(scope="session")
def built_pg(tmp_path_factory, require_pg):
    with make_pg_warehouse(tmp_path_factory.mktemp("built_pg")) as wh:
        yield build_small(wh)
