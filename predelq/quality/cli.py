"""`predelq check`: great-expectations suites on the raw tables.

Exit status: 0 when no critical expectation failed (warnings are printed), 1 when
one did (with a summary line per failure), 2 on a usage error.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path


def docs_path(value: str | None = None) -> Path:
    """Where the Data Docs site goes: the argument, $PREDELQ_DATA_DOCS_DIR, else target/data_docs."""
    from predelq.db import PROJECT_DIR

    path = Path(value or os.environ.get("PREDELQ_DATA_DOCS_DIR") or "target/data_docs")
    return path if path.is_absolute() else PROJECT_DIR / path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--hours", type=float, default=24, help="telemetry window before the latest reading")
    parser.add_argument(
        "--sample-rows", type=int, default=100_000, help="telemetry rows sampled for row checks"
    )
    parser.add_argument("--days", type=int, default=8, help="full days checked for row-count anomalies")
    parser.add_argument(
        "--max-rows", type=int, default=1_000_000, help="DuckDB: larger tables are reservoir-sampled to this"
    )
    parser.add_argument(
        "--freshness-hours",
        type=float,
        default=float(os.environ.get("PREDELQ_FRESHNESS_HOURS", "36")),
        help="warn when nothing was ingested for this long (default 36, $PREDELQ_FRESHNESS_HOURS)",
    )
    parser.add_argument("--suite", action="append", help="run only this suite (repeatable)")
    parser.add_argument(
        "--docs-dir", help="Data Docs folder (default target/data_docs, $PREDELQ_DATA_DOCS_DIR)"
    )
    parser.add_argument("--no-docs", action="store_true", help="do not build the Data Docs site")


def run(args) -> int:
    from predelq.db import Target

    target = Target.from_env(args.target)
    report = check(
        target,
        hours=args.hours,
        sample_rows=args.sample_rows,
        days=args.days,
        max_rows=args.max_rows,
        freshness_hours=args.freshness_hours,
        only=args.suite,
        docs_dir=None if args.no_docs else docs_path(args.docs_dir),
    )
    return summarize(report, target)


def check(
    target,
    hours: float = 24,
    sample_rows: int = 100_000,
    days: int = 8,
    max_rows: int = 1_000_000,
    freshness_hours: float = 36,
    only: list[str] | None = None,
    docs_dir: Path | None = None,
):
    """Run the suites on `target`, record the results; returns the runner's Report."""
    import datetime as dt

    from predelq.errors import UserError
    from predelq.loader.cli import _connect
    from predelq.loader.core import ensure_tables
    from predelq.loader.settings import LoaderSettings
    from predelq.quality.batches import Batches
    from predelq.quality.runner import record, run_suites
    from predelq.quality.suites import suites

    settings = LoaderSettings.from_env()
    chosen = suites(settings, freshness_hours)
    if only:
        unknown = sorted(set(only) - {s.name for s in chosen})
        if unknown:
            names = ", ".join(s.name for s in chosen)
            raise UserError(f"unknown suite(s) {', '.join(unknown)}: choose from {names}")
        chosen = [s for s in chosen if s.name in only]
    now = dt.datetime.now(dt.UTC)
    con = _connect(target)
    try:
        ensure_tables(con, target.engine)
        batches = Batches(con, target.engine, settings, now, hours, sample_rows, days, max_rows)
        report = run_suites(target, con, chosen, batches, docs_dir)
        record(con, target.engine, target.name, report, now)
    finally:
        con.close()
    return report


def summarize(report, target, echo=print) -> int:
    total = len(report.outcomes)
    critical, warnings = report.critical_failures, report.warnings
    passed = total - len(critical) - len(warnings)
    for o in warnings:
        echo(f"  warning  {o.describe()}")
    for o in critical:
        echo(f"  CRITICAL {o.describe()}")
    if report.docs_index:
        echo(f"Data Docs: {report.docs_index}")
    verdict = "FAILED" if critical else "ok"
    echo(
        f"check {verdict} on {target.describe()}: {total} expectations, {passed} passed, "
        f"{len(warnings)} warning(s), {len(critical)} critical failure(s) "
        f"[run {report.run_id[:8]}, {report.seconds:.1f} s, results in ops.data_quality_checks]"
    )
    return 1 if critical else 0
