"""Helpers for the indicator and event tests (test_indicators_*.py, test_events_*.py).

- `copy_project`: a throwaway copy of the dbt project, for tests that edit the
  analyst seeds (the real seeds are never touched).
- `dbt_problems`: (node, status, message) of every node that did not pass.
- `seed_failures`: the failing rows the failed seed tests stored, by test name.
- `table_rows`: a table as sorted tuples, volatile columns left out, floats
  rounded and JSON parsed, so two builds (or two engines) compare with ==.
- `hold_back_raw` / `release_raw`: move raw rows from a local day onwards aside
  and back, to build a warehouse in steps the way days arrive in production.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import shutil
import uuid
from pathlib import Path

from predelq.db import PROJECT_DIR

# written again on every rebuild of a row: never part of an equality check
VOLATILE_COLUMNS = {"computed_at", "pipeline_run_id"}

MY_MODELS = [
    "int_indicator_parameters_typed",
    "int_indicator_inputs",
    "int_indicator_baselines",
    "int_indicator_scores_atomic",
    "int_indicator_scores_composite",
    "int_indicator_scores_ml",
    "int_indicator_scores_rules",
    "indicator_values",
    "int_event_definitions_typed",
    "int_event_trigger_days",
    "events",
]

_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "target", "logs", "*.duckdb", "*.duckdb.wal", "__pycache__", ".ruff_cache",
    ".pytest_cache", "reports", "dbt_packages", "results", "*.joblib", "artifacts",
)  # fmt: skip


def copy_project(dst: Path) -> Path:
    """A copy of the dbt project (models, macros, seeds, tests...) under dst."""
    shutil.copytree(PROJECT_DIR, dst, ignore=_IGNORE, symlinks=True)
    return dst


def edit_seed(project: Path, seed: str, edit) -> None:
    """Rewrite seeds/<seed>.csv through edit(rows) -> rows (rows are dicts)."""
    path = project / "seeds" / f"{seed}.csv"
    with path.open(newline="") as f:
        reader = csv.DictReader(f)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    rows = edit(rows)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue())


def dbt_problems(result) -> list[tuple[str, str, str]]:
    """(unique_id, status, message) of every node that did not pass or succeed."""
    out = []
    for r in getattr(result.result, "results", []) or []:
        status = str(getattr(r.status, "value", r.status)).lower()
        if status not in ("pass", "success"):
            out.append((r.node.unique_id, status, r.message or ""))
    return out


def seed_failures(wh, result) -> dict[str, list[tuple]]:
    """The failing rows each failed data test stored (store_failures), by test name."""
    out = {}
    for r in getattr(result.result, "results", []) or []:
        status = str(getattr(r.status, "value", r.status)).lower()
        relation = getattr(r.node, "relation_name", None)
        if r.node.resource_type == "test" and status in ("fail", "error") and relation:
            out[r.node.name] = table_rows(wh, relation)[1]
    return out


def _normal(value, places: int):
    if isinstance(value, (float, decimal.Decimal)):
        return round(float(value), places) + 0.0
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return _normal(json.loads(value), places)
        except ValueError:
            return value
    if isinstance(value, dict):
        return tuple(sorted((k, _normal(v, places)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_normal(v, places) for v in value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value
    return value


def table_rows(
    wh, relation: str, places: int = 6, exclude=VOLATILE_COLUMNS, sort_columns: bool = False
) -> tuple[list[str], list[tuple]]:
    """(columns, sorted normalised rows) of a relation; `sort_columns`: columns by name
    (engines that order columns differently, e.g. Spark puts partition columns last)."""
    with wh.activated() as target:
        con = target.connect()
        try:
            cur = con.cursor()
            cur.execute(f"select * from {relation}")
            names = [d[0] for d in cur.description]
            rows = cur.fetchall()
        finally:
            con.close()
    keep = [i for i, n in enumerate(names) if n not in exclude]
    if sort_columns:
        keep.sort(key=lambda i: names[i])
    normal = [tuple(_normal(r[i], places) for i in keep) for r in rows]
    return [names[i] for i in keep], sorted(normal, key=repr)


def diff_rows(a: list[tuple], b: list[tuple], limit: int = 5) -> str:
    """A short description of how two sorted row lists differ."""
    sa, sb = set(a), set(b)
    only_a, only_b = sorted(sa - sb, key=repr)[:limit], sorted(sb - sa, key=repr)[:limit]
    return f"{len(sa - sb)} rows only in the first, {len(sb - sa)} only in the second: {only_a} vs {only_b}"


# --- building a warehouse day by day ---------------------------------------------
def _arrival_expr(table: str, engine: str, tz: str) -> str:
    local = (
        "cast(timezone('{tz}', {col}) as date)"
        if engine == "duckdb"
        else "cast(({col} at time zone '{tz}') as date)"
    )
    if table == "raw_telemetry":
        return local.format(tz=tz, col="ts")
    if table == "payments":
        # an attempt is known on its due date (missed / bounced) or when it was paid / written
        created = local.format(tz=tz, col="created_at")
        return f"greatest(due_date, coalesce(paid_date, due_date), coalesce({created}, due_date))"
    if table == "delinquency_events":
        return local.format(tz=tz, col="triggered_at")
    raise KeyError(table)


HELD_TABLES = ("raw_telemetry", "payments", "delinquency_events")


def hold_back_raw(wh, from_day: dt.date, tz: str = "Asia/Kolkata") -> dict[str, int]:
    """Move the raw rows that arrive on or after from_day into raw.held_<table>."""
    moved = {}
    for table in HELD_TABLES:
        cond = f"{_arrival_expr(table, wh.engine, tz)} >= date '{from_day.isoformat()}'"
        wh.execute(f"drop table if exists raw.held_{table}")
        wh.execute(f"create table raw.held_{table} as select * from raw.{table} where {cond}")
        wh.execute(f"delete from raw.{table} where {cond}")
        moved[table] = wh.scalar(f"select count(*) from raw.held_{table}")
    return moved


def release_raw(wh, until_day: dt.date | None = None, tz: str = "Asia/Kolkata") -> None:
    """Move held rows arriving before until_day (all when None) back into raw."""
    for table in HELD_TABLES:
        cond = "true" if until_day is None else f"{_arrival_expr(table, wh.engine, tz)} < date '{until_day}'"
        wh.execute(f"insert into raw.{table} select * from raw.held_{table} where {cond}")
        wh.execute(f"delete from raw.held_{table} where {cond}")


def _close(x, y, tol: float) -> bool:
    if isinstance(x, float) and isinstance(y, float):
        return abs(x - y) <= tol * max(1.0, abs(x), abs(y))
    if isinstance(x, tuple) and isinstance(y, tuple):
        return len(x) == len(y) and all(_close(a, b, tol) for a, b in zip(x, y, strict=True))
    return x == y


def rows_mismatch(a: list[tuple], b: list[tuple], tol: float = 1.01e-6) -> str | None:
    """None when both sorted row lists are equal (numbers to `tol`, relative above 1), else a difference."""
    if len(a) != len(b):
        return f"{len(a)} rows vs {len(b)} rows: {diff_rows(a, b)}"
    for x, y in zip(a, b, strict=True):
        if not _close(x, y, tol):
            return f"first difference: {x} vs {y}"
    return None
