"""`predelq dbt ARGS...`: dbt with the project's profile, project dir and target."""

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dbt_args", nargs=argparse.REMAINDER, help="arguments passed to dbt")


def run(args) -> int:
    from predelq.db import Target
    from predelq.dbt import run_dbt

    target = Target.from_env(args.target)
    result = run_dbt(args.dbt_args or ["--help"], target, raise_on_failure=False)
    return 0 if result.success else 1
