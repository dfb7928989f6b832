"""`predelq evaluate`: build the portfolios, freeze the models, judge every score, write the report.

Order matters and is enforced here: the training portfolio is built and every
model is fitted and frozen BEFORE the first held-out portfolio is simulated.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ml import config
from predelq.evaluation import backtest as bt
from predelq.evaluation import frames, portfolios

STREAM_HORIZON = 90  # the alert list is ranked by the 90-day probability


@dataclass
class Results:
    train: portfolios.Portfolio
    held: list[portfolios.Portfolio]
    frames: dict[str, frames.PortfolioFrame]
    models: dict[str, bt.Frozen]
    validation: dict[str, dict]
    held_sample: bt.Sample
    train_sample: bt.Sample
    budget: float
    folder: Path
    timings: dict[str, float] = field(default_factory=dict)
    portfolio_info: list[dict] = field(default_factory=list)


def score_columns(
    days: pd.DataFrame, model: dict, payment: dict, roll, rng: np.random.Generator
) -> pd.DataFrame:
    """The scores every row is judged by, per horizon."""
    out = days.copy()
    for h in bt.HORIZONS:
        out[f"model_{h}d"] = model[h]
        out[f"payment_{h}d"] = payment[h]
    out["roll_forward"] = roll if roll is not None else np.nan
    out["composite"] = out[bt.COMPOSITE]
    out["random"] = rng.random(len(out))
    return out


def review_rows(pf: frames.PortfolioFrame, scored: pd.DataFrame) -> pd.DataFrame:
    rows = scored[scored["is_review"]].copy()
    rows["portfolio"] = pf.name
    return rows.reset_index(drop=True)


def run_backtest(
    folder: Path,
    reuse: bool = True,
    budget: float = bt.DEFAULT_BUDGET,
    log=print,
    config_path: Path = portfolios.CONFIG,
    **overrides,
) -> Results:
    from ml.features import feature_columns

    timings: dict[str, float] = {}
    train_p, held_p = portfolios.load_config(config_path, **overrides)
    rng = np.random.default_rng(bt.SEED)

    t0 = time.perf_counter()
    log(f"training portfolio {train_p.name} (seed {train_p.seed})")
    train_frame = frames.load(
        portfolios.build(train_p, folder, reuse, log), train_p.name, "train", train_p.seed
    )
    timings["build training portfolio"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    days = train_frame.days
    features = feature_columns(days.columns)
    payment_features = feature_columns(days.columns, config.PAYMENT_ONLY_PREFIXES)
    log("fitting on the training portfolio (validation folds choose the algorithm and the calibration)")
    model, model_oof, model_sel = bt.fit_and_freeze(days, features, "model", log)
    payment, pay_oof, pay_sel = bt.fit_and_freeze(days, payment_features, "payment-only model", log)
    roll = None
    try:
        from ml import train

        roll_model, roll_info = train.fit_roll_forward(days, features, log=log)
        roll = bt.Frozen("roll-forward model", roll_model, roll_info).seal()
    except train.NotEnoughData as exc:
        log(f"  roll-forward model not fitted: {exc}")
    model_val = {"auc": model_sel.validation_auc, "ece": model_sel.validation_ece}
    pay_val = {"auc": pay_sel.validation_auc, "ece": pay_sel.validation_ece}
    timings["fit and freeze models"] = time.perf_counter() - t0
    # frozen from here on: nothing below may fit

    train_scored = score_columns(days, model_oof, pay_oof, None, rng)
    all_frames = {train_p.name: train_frame}
    held_rows = []
    for p in held_p:
        t0 = time.perf_counter()
        log(f"held-out portfolio {p.name} (seed {p.seed})")
        pf = frames.load(portfolios.build(p, folder, reuse, log), p.name, "held_out", p.seed)
        all_frames[p.name] = pf
        roll_scores = roll.predict(pf.days) if roll is not None else None
        scored = score_columns(pf.days, model.predict(pf.days), payment.predict(pf.days), roll_scores, rng)
        held_rows.append(review_rows(pf, scored))
        timings[f"build and score {p.name}"] = time.perf_counter() - t0
    held_sample = bt.Sample.of(held_rows)
    train_sample = bt.Sample.of([review_rows(train_frame, train_scored)])
    info = [portfolio_info(p, all_frames[p.name], folder) for p in [train_p, *held_p]]
    return Results(
        train_p,
        held_p,
        all_frames,
        {"model": model, "payment-only": payment, **({"roll-forward": roll} if roll is not None else {})},
        {"model": model_val, "payment-only": pay_val},
        held_sample,
        train_sample,
        budget,
        folder,
        timings,
        info,
    )


def portfolio_info(p: portfolios.Portfolio, pf: frames.PortfolioFrame, folder: Path) -> dict:
    import json

    import duckdb

    con = duckdb.connect(str(folder / f"{p.name}.duckdb"))
    try:
        params = con.execute("select parameters from truth.runs").fetchone()[0]
    finally:
        con.close()
    params = json.loads(params) if isinstance(params, str) else params
    d = pf.days
    review = d[d["is_review"]]
    return {
        "name": p.name,
        "role": p.role,
        "seed": p.seed,
        "assets": p.assets,
        "accounts": params["n_accounts"],
        "days": p.days,
        "minute_step": p.minute_step,
        "current_review_rows": int(review["is_current"].sum()),
        "first30_accounts": int(((pf.first30 >= pf.start) & (pf.first30 <= pf.end)).sum()),
        "realism": params.get("realism", {}),
    }
