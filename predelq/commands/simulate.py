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


def _horizons(s: str) -> tuple[int, ...]:
    try:
        return tuple(sorted({int(x) for x in s.split(",") if x.strip()}))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of days: {s!r}") from exc


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
    parser.add_argument(
        "--oracle-draws",
        type=int,
        default=100,
        help="re-simulated futures per sampled account-day for the Monte-Carlo oracle (default 100)",
    )
    parser.add_argument(
        "--oracle-every",
        type=int,
        default=7,
        help="the oracle samples every N-th as-of day of each open account (default 7)",
    )
    parser.add_argument(
        "--oracle-horizons",
        type=_horizons,
        default=(30, 60, 90, 120, 180, 210),
        help="horizons in days the oracle estimates, comma-separated (default 30,60,90,120,180,210)",
    )
    parser.add_argument("--no-oracle", action="store_true", help="skip the Monte-Carlo oracle (truth.oracle)")


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
        oracle_every=args.oracle_every,
        oracle_draws=args.oracle_draws,
        oracle_horizons=args.oracle_horizons,
    )
    target = Target.from_env(args.target)
    print(f"simulating into {target.describe()}", flush=True)
    summary = simulate(
        cfg,
        target,
        progress=False if args.no_progress else None,
        oracle=not args.no_oracle,
    )
    print("\n".join(summary.lines()), flush=True)
    return 0
