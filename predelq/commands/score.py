"""`predelq score`: score every active account for an as-of day with the active models."""

from __future__ import annotations


def add_arguments(parser) -> None:
    parser.add_argument(
        "--as-of", default=None, help="as-of day YYYY-MM-DD (default: the latest day in ml.ml_features_daily)"
    )
    parser.add_argument(
        "--horizon",
        type=int,
        action="append",
        choices=[30, 90, 180],
        help="score only this horizon (repeatable; default every horizon with an active model)",
    )


def run(args) -> int:
    import datetime as dt

    from ml import score as scoring
    from ml.db import Db
    from predelq.db import Target
    from predelq.errors import UserError

    target = Target.from_env(args.target)
    as_of = None
    if args.as_of:
        try:
            as_of = dt.date.fromisoformat(args.as_of)
        except ValueError as exc:
            raise UserError(f"--as-of {args.as_of!r} is not a date (YYYY-MM-DD)") from exc
    with Db.open(target) as db:
        summary = scoring.score(db, as_of=as_of, horizons=args.horizon)
    for r in summary.itertuples(index=False):
        if r.status != "scored":
            print(f"  {r.horizon_days}d: not scored: {r.message}")
            continue
        print(
            f"  {r.as_of_date.date()} {r.horizon_days}d {r.model_name} {r.model_version}: "
            f"{r.accounts_scored} accounts, mean probability {r.mean_probability:.3f}, "
            f"score PSI {r.score_psi:.3f}, {r.features_drifted} feature(s) drifted"
        )
    return 0
