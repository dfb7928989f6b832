"""`predelq check`: great-expectations suites on the raw tables.

Exit status: 0 when no critical expectation failed (warnings are printed), 1 when
one did (with a summary line per failure), 2 on a usage error.
"""

from __future__ import annotations

import argparse
import os


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
    from predelq.quality.runner import check, docs_path, summarize

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
