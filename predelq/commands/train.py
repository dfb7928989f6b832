"""`predelq train`: choose, fit and register the pre-delinquency and roll-forward models (ml.train)."""

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
        min_auc = config.min_active_auc(db)
    seen = set()
    for r in registered:
        m = r["metrics"]
        flag = "ACTIVE" if r["is_active"] else "      "
        key = (r["name"], r["version"])
        if key in seen:
            continue
        seen.add(key)
        horizons = ", ".join(
            "until the spell ends" if x["horizon_days"] == 0 else f"{x['horizon_days']}d"
            for x in registered
            if (x["name"], x["version"]) == key
        )
        print(
            f"  {flag} {r['name']} {r['version']} ({horizons}): validation AUC {_f(m.get('auc'))} "
            f"({m.get('algorithm')}, {m.get('calibration', 'platt')} calibration, "
            f"{m.get('features')} features)"
        )
        if not r["is_active"]:
            print(
                f"         not activated: validation AUC below {min_auc} "
                "(seed risk_settings); the previous active model, if any, stays"
            )
    print(f"trained in {time.perf_counter() - started:.1f}s")
    return 0


def _f(v, digits: int = 3) -> str:
    return "n/a" if v is None else f"{v:.{digits}f}"
