"""`predelq dbt ARGS...`: dbt with the project's profile, project dir and target."""

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dbt_args", nargs=argparse.REMAINDER, help="arguments passed to dbt")


def run(args) -> int:
    from predelq.commands.pipeline import ALREADY_RUNNING, AlreadyRunning, writer_lock
    from predelq.db import Target
    from predelq.dbt import run_dbt

    target = Target.from_env(args.target)
    if not args.dbt_args or args.dbt_args[0] in ("--help", "-h", "--version"):
        return 0 if run_dbt(args.dbt_args or ["--help"], target, raise_on_failure=False).success else 1
    try:
        with writer_lock(target, "predelq dbt"):  # DuckDB: the one writer lock (see pipeline.py)
            result = run_dbt(args.dbt_args, target, raise_on_failure=False)
    except AlreadyRunning as exc:
        import sys

        print(f"predelq dbt: {exc}", file=sys.stderr)
        return ALREADY_RUNNING
    return 0 if result.success else 1
