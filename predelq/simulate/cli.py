"""`predelq simulate`: generate the simulated portfolio into raw (and truth).

Only the standard library is imported here; numpy/pyarrow/duckdb load in `run`.
"""

from __future__ import annotations

import argparse
import datetime as dt


def _date(s: str) -> dt.date:
    try:
        return dt.date.fromisoformat(s)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {s!r}") from exc


def add_arguments(parser) -> None:
    parser.add_argument("--assets", type=int, default=450, help="vehicles to simulate (default 450)")
    parser.add_argument("--days", type=int, default=240, help="local days of telemetry history (default 240)")
    parser.add_argument(
        "--end-date",
        type=_date,
        default=None,
        help="last simulated local day, YYYY-MM-DD (default 2026-10-31)",
    )
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--minute-step", type=int, default=1, help="minutes between readings (default 1)")
    parser.add_argument(
        "--dirty-rate",
        type=float,
        default=0.002,
        help="fraction of telemetry rows made dirty (default 0.002)",
    )
    parser.add_argument(
        "--signal-strength",
        type=float,
        default=1.0,
        help="how strongly latent risk shows in driving (default 1.0; 0 = telemetry carries no warning)",
    )
    parser.add_argument(
        "--timezone", default="Asia/Kolkata", help="time zone of local days (default Asia/Kolkata)"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--no-oracle", action="store_true", help="skip the oracle AUC in the summary")


def run(args) -> int:
    from predelq.db import Target
    from predelq.simulate.config import DEFAULT_END_DATE, SimConfig
    from predelq.simulate.engine import simulate

    cfg = SimConfig(
        assets=args.assets,
        days=args.days,
        end_date=args.end_date or DEFAULT_END_DATE,
        seed=args.seed,
        minute_step=args.minute_step,
        dirty_rate=args.dirty_rate,
        signal_strength=args.signal_strength,
        timezone=args.timezone,
    )
    target = Target.from_env(args.target)
    print(f"simulating into {target.describe()}", flush=True)
    summary = simulate(
        cfg,
        target,
        progress=False if args.no_progress else None,
        oracle_horizons=() if args.no_oracle else (30, 90, 180),
    )
    print("\n".join(summary.lines()), flush=True)
    return 0
