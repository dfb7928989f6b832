"""The ML steps of the pipeline and of `predelq demo`.

After `dbt build`:

1. train, when a horizon has no active model (`predelq train --if-no-active`);
2. score (Python writes the ml landing tables), then rebuild what reads the scores:
   `dbt build -s ml_scoring_runs+ ml_delinquency_scores+ ml_drift_checks+ ml_drift_warnings+`
   (the ml_model indicators, events and marts downstream). DuckDB scores leniently
   (a horizon without a usable model is skipped and said so), PostgreSQL and Spark
   through `predelq score`;
3. print the hold-out AUC of the active model per horizon.
"""

from __future__ import annotations

SCORE_READERS = ["ml_scoring_runs+", "ml_delinquency_scores+", "ml_drift_checks+", "ml_drift_warnings+"]


def rebuild_score_readers(target, extra_args: list[str] | None = None) -> None:
    """`dbt build` of the models that read the scores (after scoring); `extra_args` are added
    to the dbt command (the pipeline's data-test scope)."""
    from predelq.dbt import run_dbt

    run_dbt(["build", "-s", *SCORE_READERS, *(extra_args or [])], target)


def score_step(target, extra_args: list[str] | None = None) -> None:
    """Score the as-of days due and rebuild the models that read scores (every engine)."""
    from predelq.cli import main as cli_main
    from predelq.errors import UserError

    if target.engine == "duckdb":
        # never fatal, as when the scorer ran inside `dbt build`: the rule-based layers still build
        from ml import score as scoring
        from ml.db import Db

        with Db.open(target) as db:
            scoring.score(db, strict=False)
    elif cli_main(["score", "--target", target.name]):
        raise UserError("predelq score failed")
    rebuild_score_readers(target, extra_args)


def auc_lines(target) -> list[str]:
    """One line per horizon: the active model's validation AUC, or why there is none."""
    import json

    from ml import config
    from ml.db import Db

    with Db.open(target) as db:
        if not db.relation_exists(*config.REGISTRY_TABLE.split(".")):
            return [f"{h}d: no model trained" for h in config.HORIZONS]
        min_auc = config.min_active_auc(db)
        rows = db.query(
            f"select horizon_days, name, version, metrics, is_active from {config.REGISTRY_TABLE} "
            "order by horizon_days, created_at desc"
        )
    out = []
    for horizon in (*config.HORIZONS, 0):
        label = "roll-forward (1-29 DPD)" if horizon == 0 else f"{horizon}d"
        mine = [r for r in rows if r[0] == horizon]
        active = [r for r in mine if r[4]]
        if not mine:
            out.append(f"{label}: no model trained")
            continue
        _, name, version, metrics, _ = (active or mine)[0]
        m = json.loads(metrics) if isinstance(metrics, str) else (metrics or {})
        auc = m.get("auc")
        shown = "n/a" if auc is None else f"{auc:.3f}"
        if active:
            out.append(
                f"{label}: validation AUC {shown} ({name} {version}, out of fold on the training data)"
            )
        else:
            out.append(
                f"{label}: no active model; latest {name} {version} has validation AUC {shown}, "
                f"below {min_auc}"
            )
    return out


def demo_steps(target) -> list[tuple[str, object]]:
    from predelq.cli import main as cli_main

    def train():
        # Not fatal: a portfolio too small to train on still gets its rule-based warnings;
        # the scoring step then reports the horizons it could not score.
        if cli_main(["train", "--target", target.name, "--if-no-active"]):
            print("    no model trained (see above): the ML scores will be missing")

    def score():
        score_step(target)

    def report():
        lines = auc_lines(target)
        print("Delinquency models (active), AUC per horizon:")
        for line in lines or ["no active model"]:
            print(f"  {line}")

    return [
        ("train models (if none active)", train),
        ("score and rebuild what reads scores", score),
        ("model AUC", report),
    ]
