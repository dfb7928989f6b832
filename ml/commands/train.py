"""`predelq train`: train the delinquency models (one per horizon) and register them."""

from __future__ import annotations


def add_arguments(parser) -> None:
    parser.add_argument(
        "--horizon",
        type=int,
        action="append",
        choices=[30, 90, 180],
        help="train only this horizon in days (repeatable; default 30, 90 and 180)",
    )
    parser.add_argument(
        "--artifacts",
        default=None,
        help="folder for the joblib files (default $PREDELQ_ML_ARTIFACTS or ml_artifacts/)",
    )
    parser.add_argument(
        "--if-no-active",
        action="store_true",
        help="train only the horizons that have no active model",
    )


def run(args) -> int:
    import time
    from pathlib import Path

    from ml import config, registry
    from ml import train as training
    from ml.db import Db
    from predelq.db import Target

    target = Target.from_env(args.target)
    horizons = tuple(args.horizon) if args.horizon else config.HORIZONS
    started = time.perf_counter()
    with Db.open(target) as db:
        if args.if_no_active:
            active = registry.active_models(db)
            if active:
                print("active: " + ", ".join(m.label for h, m in sorted(active.items()) if h in horizons))
            horizons = tuple(h for h in horizons if h not in active)
            if not horizons:
                return 0
        folder = Path(args.artifacts).resolve() if args.artifacts else None
        print(f"training horizons {', '.join(f'{h}d' for h in horizons)} on {target.describe()}", flush=True)
        registered = training.train(db, horizons, folder)
    for r in registered:
        m = r["metrics"]
        flag = "ACTIVE" if r["is_active"] else "      "
        print(
            f"  {flag} {r['name']} {r['version']}: hold-out AUC {_f(m['auc'])}, PR-AUC {_f(m['pr_auc'])}, "
            f"Brier {_f(m['brier'], 4)}, KS {_f(m['ks'])}, top-10% precision {_f(m['precision_top10'])} "
            f"recall {_f(m['recall_top10'])} lift {_f(m['lift_top10'], 1)}"
        )
        if m["split"].get("note"):
            print(f"         note: {m['split']['note']}")
    for horizon in horizons:
        mine = [r for r in registered if r["horizon_days"] == horizon]
        if mine and not any(r["is_active"] for r in mine):
            best = max((r["metrics"]["auc"] or 0.0) for r in mine)
            print(
                f"  {horizon}d: not activated: best hold-out AUC {best:.3f} < {config.min_active_auc()} "
                "(PREDELQ_ML_MIN_AUC); the horizon keeps its previous active model, if any"
            )
    print(f"trained in {time.perf_counter() - started:.1f}s")
    return 0


def _f(v, digits: int = 3) -> str:
    return "n/a" if v is None else f"{v:.{digits}f}"
