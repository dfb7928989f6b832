"""`predelq evaluate`: the backtest (reports/evaluation.md and its plots).

Builds the training portfolio and the held-out portfolios listed in
predelq/evaluation/portfolios.toml (each in its own DuckDB file under
target/backtest/), fixes every model on the training portfolio, then judges the
model, the baselines and the Monte-Carlo oracle on the held-out portfolios.
docs/backtest.md defines every figure.
"""

from __future__ import annotations


def add_arguments(parser) -> None:
    parser.add_argument(
        "--output", default="reports/evaluation.md", help="report file (default reports/evaluation.md)"
    )
    parser.add_argument(
        "--budget", type=float, default=0.05, help="weekly alert budget, a share of current accounts (0.05)"
    )
    parser.add_argument(
        "--rebuild", action="store_true", help="simulate and build every portfolio again, even if unchanged"
    )
    parser.add_argument(
        "--assets", type=int, default=None, help="override every portfolio's vehicles (quick runs)"
    )
    parser.add_argument(
        "--days", type=int, default=None, help="override every portfolio's history (quick runs)"
    )
    parser.add_argument(
        "--workdir", default="target/backtest", help="where the portfolios' DuckDB files go (target/backtest)"
    )


def run(args) -> int:
    import time
    from pathlib import Path

    from predelq.db import PROJECT_DIR
    from predelq.errors import UserError
    from predelq.evaluation import report
    from predelq.evaluation.run import run_backtest

    if not 0 < args.budget < 1:
        raise UserError(f"--budget is a share of current accounts between 0 and 1, got {args.budget}")
    overrides = {k: v for k, v in (("assets", args.assets), ("days", args.days)) if v is not None}
    folder = Path(args.workdir)
    folder = folder if folder.is_absolute() else PROJECT_DIR / folder
    out = Path(args.output)
    out = out if out.is_absolute() else PROJECT_DIR / out
    t0 = time.perf_counter()
    results = run_backtest(folder, reuse=not args.rebuild, budget=args.budget, log=_log, **overrides)
    text = report.write(results, out, time.perf_counter() - t0)
    print(text.split("## Portfolios")[0], flush=True)
    print(f"report written to {out} ({time.perf_counter() - t0:.0f} s)")
    return 0


def _log(msg: str) -> None:
    print(msg, flush=True)
