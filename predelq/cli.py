"""The `predelq` command line.

Each subcommand lives in its own module, predelq/commands/<name>.py, exposing
`add_arguments(parser)` and `run(args) -> int`; the work itself is in the packages
(predelq/loader, predelq/quality, predelq/simulate, ml...). Command modules import
only the standard library at module level and import heavy packages (duckdb,
pandas, great-expectations...) inside `run`, so `predelq --help` stays fast.
Adding a command = one line in COMMANDS.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from predelq.errors import UserError

# command -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "db-create": ("predelq.commands.db_create", "create the target database and raw schema"),
    "simulate": ("predelq.commands.simulate", "generate a simulated portfolio into raw"),
    "dbt": ("predelq.commands.dbt_cmd", "run dbt with the project's profile and target"),
    "demo": ("predelq.commands.demo", "simulate, build and summarise the demo warehouse"),
    "evaluate": ("predelq.commands.evaluate", "report warning quality against the simulator's truth"),
    "train": ("predelq.commands.train", "train the delinquency models (30/90/180 days) and register them"),
    "score": (
        "predelq.commands.score",
        "score active accounts with the active models and write the scores back",
    ),
    "load": ("predelq.commands.load", "load telemetry / loan-book files into raw (quarantine, idempotent)"),
    "check": ("predelq.commands.check", "great-expectations checks on the raw tables (exit 1 on critical)"),
    "pipeline": ("predelq.commands.pipeline", "cron job: load, check, dbt build, score, publish (locked)"),
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; with `only`, just that command's module is imported."""
    parser = argparse.ArgumentParser(
        prog="predelq", description="PredelQ warehouse: simulate, load, build, score."
    )
    sub = parser.add_subparsers(dest="command", metavar="<command>")
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if name != only:
            continue
        p.set_defaults(_module=module)
        p.add_argument(
            "--target",
            choices=["dev", "pg", "spark"],
            default=None,
            help="dbt target: dev = DuckDB (default, or $PREDELQ_TARGET), pg = PostgreSQL, spark = Spark",
        )
        importlib.import_module(module).add_arguments(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(only=command if command in COMMANDS else None)
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 0
    try:
        return int(importlib.import_module(args._module).run(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except UserError as exc:
        print(f"predelq {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
