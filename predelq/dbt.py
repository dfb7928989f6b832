"""Running dbt from Python with the project's profile.

`run_dbt(["build"], target=...)` runs dbt in-process through `dbtRunner` (the
programmatic API), with the profile copied from profiles.example.yml, so the
Makefile, the CLI and the tests all run dbt the same way. Before a command whose
on-run-end hook writes the run log, the ops landing tables are created if missing
(Python owns their DDL, predelq/landing.py).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from predelq.db import PROJECT_DIR, Target
from predelq.errors import UserError


def ensure_profiles_dir() -> Path:
    """The folder holding profiles.yml: $DBT_PROFILES_DIR, else .dbt/ made from the example."""
    configured = os.environ.get("DBT_PROFILES_DIR")
    if configured and (Path(configured) / "profiles.yml").exists():
        return Path(configured)
    folder = Path(configured) if configured else PROJECT_DIR / ".dbt"
    folder.mkdir(parents=True, exist_ok=True)
    example = PROJECT_DIR / "profiles.example.yml"
    target = folder / "profiles.yml"
    if not target.exists() or target.stat().st_mtime < example.stat().st_mtime:
        shutil.copyfile(example, target)
    return folder


def dbt_args(args: list[str], target: Target) -> list[str]:
    """Append the profile, project and target flags dbt needs."""
    out = list(args)
    if "--profiles-dir" not in out:
        out += ["--profiles-dir", str(ensure_profiles_dir())]
    if "--project-dir" not in out:
        out += ["--project-dir", str(PROJECT_DIR)]
    if "--target" not in out and "-t" not in out:
        out += ["--target", target.name]
    return out


def pipeline_test_vars() -> list[str]:
    """`--vars` for the pipeline's builds: with $PREDELQ_PIPELINE_TEST_DAYS = N, generic data
    tests on day-keyed incremental models check only their last N days, the days a run can have
    written (macros/incremental/data_test_scope.sql, docs/decisions.md D30). Default `all`
    (every row): on PostgreSQL the scope saved nothing measurable (D30)."""
    raw = (os.environ.get("PREDELQ_PIPELINE_TEST_DAYS") or "all").strip().lower()
    if raw == "all":
        return []
    if not raw.isdigit():
        raise UserError(f"PREDELQ_PIPELINE_TEST_DAYS={raw!r}: expected a number of days (0 or more) or 'all'")
    return ["--vars", json.dumps({"data_tests_recent_days": int(raw)})]


# dbt commands whose on-run-end hook writes the run log (ops.pipeline_runs)
HOOKED_COMMANDS = ("build", "run", "seed", "snapshot", "test", "retry", "source")


def ensure_ops_tables(target: Target) -> None:
    """Create the ops landing tables dbt's hooks write, if missing (Python owns their DDL)."""
    from predelq.db import connection, execute_all
    from predelq.landing import OPS_SCHEMA, schema_ddl

    with connection(target) as con:
        execute_all(con, schema_ddl(OPS_SCHEMA, target.engine))


def run_dbt(args: list[str], target: Target | None = None, raise_on_failure: bool = True):
    """Run one dbt command in-process; returns dbt's `dbtRunnerResult`."""
    from dbt.cli.main import dbtRunner

    target = target or Target.from_env()
    command = next((a for a in args if not a.startswith("-")), None)
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    if target.engine == "spark" and args and args[0] not in ("parse", "deps", "clean", "--help", "-h"):
        # the process's SparkSession, built from the same settings as the profile (and
        # its folders made): dbt-spark's session method then finds it (getOrCreate)
        from predelq.spark import session

        session()
    if command in HOOKED_COMMANDS and not {"--help", "-h"} & set(args):
        ensure_ops_tables(target)
    cwd = os.getcwd()
    os.chdir(PROJECT_DIR)  # relative DuckDB paths resolve against the project
    try:
        result = dbtRunner().invoke(dbt_args(args, target))
    finally:
        os.chdir(cwd)
    if raise_on_failure and not result.success:
        detail = f": {result.exception}" if result.exception else ""
        raise UserError(f"dbt {' '.join(args)} failed on {target.describe()}{detail}")
    return result
