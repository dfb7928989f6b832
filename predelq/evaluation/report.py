"""reports/evaluation.md and its plots, from a backtest's Results.

Every headline figure: value (90% account-bootstrap interval) [min–max over the
held-out portfolios]. Plots are PNG files beside the report (matplotlib, Agg).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from ml import config
from predelq.evaluation import backtest as bt
from predelq.evaluation.run import STREAM_HORIZON, Results

# (column prefix or name, label) of the ranked scores compared everywhere
SCORES = [
    ("model", "model"),
    ("payment", "payment-only model"),
    ("composite", "static-rule composite"),
    ("random", "random"),
    ("oracle", "Monte-Carlo oracle"),
]
POPULATIONS = [
    ("is_current", "current (DPD 0 on the eve, never 30+ before)"),
    ("is_active", "all active"),
    ("is_roll", "1-29 DPD (roll-forward)"),
]


def score_of(frame: pd.DataFrame, key: str, horizon: int) -> np.ndarray:
    if key in ("composite", "random"):
        col = key
    elif key == "oracle":
        col = f"oracle_{horizon}d"
    else:
        col = f"{key}_{horizon}d"
    return frame[col].to_numpy(dtype=float) if col in frame else np.full(len(frame), np.nan)


def _label(frame, horizon):
    return frame[config.label_column(horizon)].to_numpy(dtype=float)


def auc_table(sample: bt.Sample, population: str) -> dict:
    f = sample.frame.assign(is_active=True)
    mask = f[population].to_numpy(dtype=bool)
    out = {}
    for h in bt.HORIZONS:
        y = _label(f, h)
        out[h] = {key: bt.auc_figure(sample, score_of(f, key, h), y, mask) for key, _ in SCORES}
    return out


def streams(sample: bt.Sample, budget: float, frames_by_name) -> dict[str, bt.StreamResult]:
    f = sample.frame
    day = (f["portfolio"] + "|" + f["as_of_date"].astype(str)).to_numpy()
    cur = f["is_current"].to_numpy(dtype=bool)
    rng = np.random.default_rng(bt.SEED)
    out = {}
    for key, label in SCORES:
        s = score_of(f, key, STREAM_HORIZON)
        flags = np.zeros(len(f), dtype=bool)
        flags[cur] = bt.alert_flags(s[cur], day[cur], budget, rng)
        out[label] = bt.judge_stream(sample, label, flags, budget)
    # rule events at their own volume, and the model and random at that same volume
    events = pd.concat([fr.events.assign(portfolio=name) for name, fr in frames_by_name.items()])
    ev_flags = bt.event_flags(f, events) & cur
    out["early-warning events"] = bt.judge_stream(sample, "early-warning events", ev_flags, None)
    volume = out["early-warning events"].volume.value
    if volume and not np.isnan(volume) and volume > 0:
        for key, label in [("model", "model"), ("random", "random")]:
            s = score_of(f, key, STREAM_HORIZON)
            flags = np.zeros(len(f), dtype=bool)
            flags[cur] = bt.alert_flags(s[cur], day[cur], volume, rng)
            name = f"{label} at the events' volume"
            out[name] = bt.judge_stream(sample, name, flags, volume)
    return out


def per_event(sample: bt.Sample, frames_by_name) -> pd.DataFrame:
    f = sample.frame
    cur = f["is_current"].to_numpy(dtype=bool)
    events = pd.concat([fr.events.assign(portfolio=name) for name, fr in frames_by_name.items()])
    rows = []
    y90 = _label(f, 90)
    for definition, g in events.groupby("event_definition_id"):
        flags = bt.event_flags(f, events, definitions=[definition]) & cur
        m = bt.stream_metrics(f, flags)
        leads = bt.lead_table(f, flags)
        w = np.ones(len(f))
        rec = {}
        for lead in (30, 90):
            col = f"eligible_{lead}"
            ok = leads[leads[col].fillna(False).astype(bool)] if col in leads else leads.iloc[0:0]
            rec[lead] = ok[f"on_list_{lead}"].mean() if len(ok) else float("nan")
        rows.append(
            {
                "event": definition,
                "indicator": g["indicator_id"].iloc[0],
                "reads loan book": g["indicator_id"].iloc[0] in bt.LOAN_BOOK_INDICATORS,
                "actionable": bool(g["is_actionable"].iloc[0]),
                "volume": m["volume"](w),
                "precision": m["precision"](w),
                "base rate": float(np.nanmean(y90[cur])),
                "recall@30": rec[30],
                "recall@90": rec[90],
            }
        )
    return pd.DataFrame(rows)


def calibration(sample: bt.Sample) -> dict:
    f = sample.frame
    cur = f["is_current"].to_numpy(dtype=bool)
    out = {}
    for h in bt.HORIZONS:
        y = _label(f, h)
        for key in ("model", "payment", "oracle"):
            table, ece = bt.reliability(score_of(f, key, h)[cur], y[cur])
            out[(h, key)] = (table, ece)
    return out


# --------------------------------------------------------------------------------------
# plots


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_roc_pr(sample: bt.Sample, folder: Path) -> list[str]:
    from sklearn.metrics import precision_recall_curve, roc_curve

    plt = _plt()
    f = sample.frame
    cur = f["is_current"].to_numpy(dtype=bool)
    names = []
    for kind in ("roc", "pr"):
        fig, axes = plt.subplots(1, len(bt.HORIZONS), figsize=(5 * len(bt.HORIZONS), 4.6))
        for ax, h in zip(axes, bt.HORIZONS, strict=True):
            y = _label(f, h)
            ok = cur & ~np.isnan(y)
            for key, label in SCORES:
                s = score_of(f, key, h)
                m = ok & ~np.isnan(s)
                if m.sum() == 0 or y[m].sum() == 0:
                    continue
                if kind == "roc":
                    x, yy, _ = roc_curve(y[m], s[m])
                    ax.plot(x, yy, label=label)
                else:
                    p, r, _ = precision_recall_curve(y[m], s[m])
                    ax.plot(r, p, label=label)
            if kind == "roc":
                ax.plot([0, 1], [0, 1], color="grey", lw=0.5)
                ax.set_xlabel("false positive rate")
                ax.set_ylabel("true positive rate")
            else:
                ax.set_xlabel("recall")
                ax.set_ylabel("precision")
                ax.axhline(np.nanmean(y[ok]), color="grey", lw=0.5)
            ax.set_title(f"30+ DPD within {h} days (current account-days)")
            ax.legend(fontsize=7)
        fig.tight_layout()
        name = f"evaluation_{kind}.png"
        fig.savefig(folder / name, dpi=90)
        plt.close(fig)
        names.append(name)
    return names


def plot_budget(sample: bt.Sample, folder: Path) -> str:
    plt = _plt()
    f = sample.frame
    cur = f["is_current"].to_numpy(dtype=bool)
    day = (f["portfolio"] + "|" + f["as_of_date"].astype(str)).to_numpy()
    rng = np.random.default_rng(bt.SEED)
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    for key, label in SCORES:
        s = score_of(f, key, STREAM_HORIZON)
        ys = []
        for b in bt.BUDGETS:
            flags = np.zeros(len(f), dtype=bool)
            flags[cur] = bt.alert_flags(s[cur], day[cur], b, rng)
            ys.append(bt.stream_metrics(f, flags)["precision"](np.ones(len(f))))
        ax.plot([100 * b for b in bt.BUDGETS], ys, marker="o", label=label)
    ax.set_xlabel("weekly alert budget (% of current accounts)")
    ax.set_ylabel("precision (first 30+ DPD within 90 days)")
    ax.set_xscale("log")
    ax.legend(fontsize=7)
    fig.tight_layout()
    name = "evaluation_budget.png"
    fig.savefig(folder / name, dpi=90)
    plt.close(fig)
    return name


def plot_leads(streams_: dict, folder: Path) -> str:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    bins = np.arange(0, 211, 15)
    for name in ("model", "Monte-Carlo oracle", "random"):
        leads = streams_[name].leads
        if leads.empty:
            continue
        v = leads["first_alert_lead"].dropna()
        ax.hist(v, bins=bins, histtype="step", lw=1.5, label=f"{name} ({len(v)} of {len(leads)} accounts)")
    ax.set_xlabel("days from the first alert while current to the first 30+ DPD")
    ax.set_ylabel("accounts")
    ax.legend(fontsize=7)
    fig.tight_layout()
    name = "evaluation_leads.png"
    fig.savefig(folder / name, dpi=90)
    plt.close(fig)
    return name


def plot_reliability(cal: dict, folder: Path) -> str:
    plt = _plt()
    fig, axes = plt.subplots(1, len(bt.HORIZONS), figsize=(5 * len(bt.HORIZONS), 4.6))
    for ax, h in zip(axes, bt.HORIZONS, strict=True):
        top = 0.0
        for key, label in (("model", "model"), ("payment", "payment-only"), ("oracle", "oracle")):
            table, ece = cal[(h, key)]
            if table.empty:
                continue
            ax.plot(table["predicted"], table["observed"], marker="o", label=f"{label} (ECE {ece:.3f})")
            top = max(top, table["predicted"].max(), table["observed"].max())
        ax.plot([0, top], [0, top], color="grey", lw=0.5)
        ax.set_xlabel("mean predicted (decile)")
        ax.set_ylabel("observed rate")
        ax.set_title(f"{h} days, current account-days")
        ax.legend(fontsize=7)
    fig.tight_layout()
    name = "evaluation_reliability.png"
    fig.savefig(folder / name, dpi=90)
    plt.close(fig)
    return name


# --------------------------------------------------------------------------------------
# markdown


def row(*cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def header(*cells) -> str:
    return row(*cells) + "\n" + "|---" * len(cells) + "|"


def _pct(x) -> str:
    return "n/a" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{100 * x:.1f}%"


def _f3(x) -> str:
    return "n/a" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{x:.3f}"


def write(results: Results, output: Path, seconds: float) -> str:
    folder = output.parent
    folder.mkdir(parents=True, exist_ok=True)
    held, train = results.held_sample, results.train_sample
    aucs = {pop: auc_table(held, pop) for pop, _ in POPULATIONS}
    train_aucs = auc_table(train, "is_current")
    st = streams(held, results.budget, results.frames)
    cal = calibration(held)
    events_table = per_event(held, results.frames)
    _ = [
        *plot_roc_pr(held, folder),
        plot_budget(held, folder),
        plot_leads(st, folder),
        plot_reliability(cal, folder),
    ]
    b = results.budget
    L: list[str] = []
    add = L.append
    add("# PredelQ backtest: does the warning come early enough?")
    add("")
    add(
        f"Written {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')} by `make evaluate` "
        f"({seconds / 60:.0f} min). Definitions: [docs/backtest.md](../docs/backtest.md); "
        "the simulated world: [docs/simulator.md](../docs/simulator.md)."
    )
    add("")
    add(
        f"Every figure below is on the **{len(results.held)} held-out portfolios** (seeds in "
        "`predelq/evaluation/portfolios.toml`, never used to fit, tune or choose anything), pooled, on "
        "**current** account-days of the weekly review days, unless it says otherwise. "
        "Format: value (90% interval, accounts resampled) [lowest–highest held-out portfolio]."
    )
    add("")
    # ---- headline
    add("## Headline")
    add("")
    add("### Ranking: AUC on current account-days")
    add("")
    add(
        header(
            "horizon", "model", "payment-only", "static-rule composite", "random", "oracle", "model / oracle"
        )
    )
    cur = aucs["is_current"]
    for h in bt.HORIZONS:
        r = cur[h]
        ratio = r["model"].value / r["oracle"].value if r["oracle"].value else float("nan")
        add(
            f"| {h} d | {r['model'].fmt()} | {r['payment'].fmt()} | {r['composite'].fmt()} | "
            f"{r['random'].fmt()} | {r['oracle'].fmt()} | **{_f3(ratio)}** |"
        )
    add("")
    add(
        f"### The alert stream: top {100 * b:.0f}% of current accounts each week "
        f"(ranked by the {STREAM_HORIZON}-day probability)"
    )
    add("")
    add(
        "Recall at lead L: of the accounts that reached 30+ DPD for the first time on day T and were "
        "current L days before, the share on the alert list of the last review day at least L days before T."
    )
    add("")
    add(
        "| alerts by | weekly volume | precision (30+ DPD within 90 d) | recall ≥ 30 d ahead | "
        "≥ 90 d | ≥ 180 d | false alarms / 100 healthy account-months |"
    )
    add("|---|---|---|---|---|---|---|")
    for name, s in st.items():
        recall = [s.recall[lead].fmt(pct=True) for lead in bt.LEADS]
        add(row(name, _pct(s.volume.value), s.precision.fmt(pct=True), *recall, s.false_alarms.fmt(digits=1)))
    add("")
    add(
        "Accounts in the recall denominators (first 30+ DPD, current L days before, inside the review "
        "period): " + ", ".join(f"{lead} d: {st['model'].positives[lead]}" for lead in bt.LEADS) + "."
    )
    add("")
    add(
        f"Alerted at least once in the {bt.WATCH_DAYS} days up to L days before (same budget; random "
        "alerts climb with time, which is why the headline counts one review):"
    )
    add("")
    add("| alerts by | ≥ 30 d | ≥ 90 d | ≥ 180 d |")
    add("|---|---|---|---|")
    for name, s in st.items():
        add(row(name, *[s.watched[lead].fmt(pct=True) for lead in bt.LEADS]))
    add("")
    add("![precision against the weekly alert budget](evaluation_budget.png)")
    add("![lead time of the first alert while current](evaluation_leads.png)")
    add("")
    # ---- where we stand
    add("## Where the product stands")
    add("")
    add(_verdict(cur, st))
    add("")
    add("### Goals of the models (held-out, current account-days)")
    add("")
    add(header("goal", "figure", "met"))
    for goal, figure, met in goals(cur, st, cal):
        add(row(goal, figure, "**met**" if met else "not met"))
    add("")
    # ---- portfolios
    add("## Portfolios")
    add("")
    add(
        header(
            "portfolio", "role", "seed", "vehicles", "accounts", "days", "reading every",
            "current review account-days", "accounts reaching 30+ DPD", "first 30+ DPD a year",
            "cure share", "PAR30 at end",
        )
    )  # fmt: skip
    for p in results.portfolio_info:
        rz = p["realism"]
        add(
            row(
                p["name"], p["role"], p["seed"], p["assets"], p["accounts"], p["days"],
                f"{p['minute_step']} min", f"{p['current_review_rows']:,}", p["first30_accounts"],
                _pct(rz.get("first_dpd30_rate_per_year")), _pct(rz.get("cure_share")),
                _pct(rz.get("par30_at_end")),
            )
        )  # fmt: skip
    add("")
    # ---- models
    add("## Models (fixed on the training portfolio)")
    add("")
    for name, m in results.models.items():
        info = m.info
        if "validation_auc" in info and isinstance(next(iter(info["validation_auc"].values()), None), dict):
            val = "; ".join(
                f"{a}: " + ", ".join(f"{h} d {_f3(v)}" for h, v in d.items())
                for a, d in info["validation_auc"].items()
            )
            eces = ", ".join(f"{k} {v:.4f}" for k, v in info.get("validation_ece", {}).items())
            add(
                f"- **{name}**: `{info['algorithm']}` with {info['calibration']} calibration, chosen on the "
                f"training portfolio's validation folds (out-of-fold AUC on current account-days — {val}; "
                f"calibration ECE — {eces}); {info['features']} features, {info['training_rows']:,} training "
                f"rows; refitted on the whole training portfolio and frozen (digest {m.digest[:12]})."
            )
        else:
            val = ", ".join(f"{a} {_f3(v)}" for a, v in info.get("validation_auc", {}).items())
            add(
                f"- **{name}**: `{info.get('algorithm')}` chosen by out-of-fold AUC on the training "
                f"portfolio's 1-29 DPD rows ({val}), Platt-calibrated; frozen (digest {m.digest[:12]})."
            )
    add("")
    add("No model was fitted on a held-out portfolio (a test fails if one is).")
    add("")
    add("Training portfolio, out-of-fold (for reference, not a claim):")
    add("")
    add("| horizon | model | payment-only | static-rule composite | Monte-Carlo oracle |")
    add("|---|---|---|---|---|")
    for h in bt.HORIZONS:
        r = train_aucs[h]
        add(row(f"{h} d", *[r[k].fmt() for k in ("model", "payment", "composite", "oracle")]))
    add("")
    # ---- populations
    add("## Other populations (never mixed into the headline)")
    add("")
    add("| population | horizon | model | payment-only | static-rule composite | oracle |")
    add("|---|---|---|---|---|---|")
    for pop, label in POPULATIONS[1:]:
        for h in bt.HORIZONS:
            r = aucs[pop][h]
            add(row(label, f"{h} d", *[r[k].fmt() for k in ("model", "payment", "composite", "oracle")]))
    add("")
    add("![ROC on current account-days](evaluation_roc.png)")
    add("![precision-recall on current account-days](evaluation_pr.png)")
    add("")
    # ---- roll-forward
    add("## Roll-forward: accounts already 1-29 DPD (their own model, their own table)")
    add("")
    add(
        "Label: this spell of arrears reaches 30 DPD before it cures. The roll-forward model feeds the "
        "collection list; the oracle's score is its 30-day estimate (a 1-29 DPD spell reaches 30 within "
        "30 days or cures)."
    )
    add("")
    add(header("score", "AUC", "ECE"))
    f = held.frame
    roll_rows = f["is_roll"].to_numpy(dtype=bool)
    y_roll = f["label_roll_dpd30"].to_numpy(dtype=float)
    for key, label_ in (("roll_forward", "roll-forward model"), ("composite", "static-rule composite"),
                        ("oracle_30d", "Monte-Carlo oracle"), ("random", "random")):  # fmt: skip
        sc = f[key].to_numpy(dtype=float) if key in f else np.full(len(f), np.nan)
        fig = bt.auc_figure(held, sc, y_roll, roll_rows)
        e = (
            bt.reliability(sc[roll_rows], y_roll[roll_rows])[1]
            if key in ("roll_forward", "oracle_30d")
            else None
        )
        add(row(label_, fig.fmt(), _f3(e) if e is not None else "—"))
    add("")
    # ---- rule events
    add("## Rule events, each on its own (current account-days, at its own volume)")
    add("")
    add(
        "An account is alerted on a review day when the event is open on the eve. Events of indicators "
        "that read the loan book (days past due, bounces, misses, and the composite that includes them) "
        "are not early warnings and are left out of the early-warning stream above."
    )
    add("")
    add(
        header(
            "event", "indicator", "reads the loan book", "actionable", "weekly volume", "precision",
            "recall ≥ 30 d", "≥ 90 d",
        )
    )  # fmt: skip
    for _, r in events_table.sort_values("volume", ascending=False).iterrows():
        add(
            f"| {r['event']} | {r['indicator']} | {'yes' if r['reads loan book'] else 'no'} | "
            f"{'yes' if r['actionable'] else 'no'} | {_pct(r['volume'])} | {_pct(r['precision'])} | "
            f"{_pct(r['recall@30'])} | {_pct(r['recall@90'])} |"
        )
    if len(events_table):
        add("")
        base = _pct(events_table["base rate"].iloc[0])
        add(f"Base rate (first 30+ DPD within 90 days, current account-days): {base}.")
    add("")
    # ---- calibration
    add("## Calibration (current account-days)")
    add("")
    add("| horizon | score | ECE | deciles: predicted → observed |")
    add("|---|---|---|---|")
    for (h, key), (table, ece) in cal.items():
        cells = (
            ", ".join(f"{r.predicted:.3f}→{r.observed:.3f}" for r in table.itertuples()) if len(table) else ""
        )
        add(f"| {h} d | {key} | {_f3(ece)} | {cells} |")
    add("")
    add("![reliability](evaluation_reliability.png)")
    add("")
    # ---- cost
    add("## Cost")
    add("")
    add(f"`make evaluate` took {seconds / 60:.1f} min on this machine:")
    add("")
    for k, v in results.timings.items():
        add(f"- {k}: {v:.0f} s")
    add("")
    text = "\n".join(L)
    output.write_text(text)
    write_model_card(results, output.parent.parent / "docs" / "model_card.md", cur, st, cal)
    return text


def write_model_card(results: Results, path: Path, cur: dict, st: dict, cal: dict) -> None:
    """docs/model_card.md: what the models are, how they were chosen, how they did, their limits."""
    model = results.models["model"]
    info = model.info
    train = results.frames[results.train.name]
    days = train.days
    roll = results.models.get("roll-forward")
    features = model.features
    groups = {
        "acct_": "the loan (age, size, term, rate, outstanding share, vehicles, season)",
        "pay_": "repayment history (DPD, arrears, paid ratios, bounced / missed / partial payments, days "
        "late on each of the last three installments, days to the next due date, next installment "
        "against the customer's usual payment)",
        "tel_": "telemetry of the account's vehicles (km, hours and charging against the account's own "
        "past, working-day earnings proxies, nights away, device silence, the std-dev indicators' "
        "z-scores)",
        "ind_": "rule-based indicator scores of the day before (incl. the composite)",
    }
    L: list[str] = []
    add = L.append
    add("# Model card: PredelQ delinquency models")
    add("")
    add(
        f"Regenerated by `make evaluate` ({dt.datetime.now(dt.UTC).date().isoformat()}) from the backtest "
        "([reports/evaluation.md](../reports/evaluation.md)); definitions in [docs/backtest.md](backtest.md)."
    )
    add("")
    add("## What they predict")
    add("")
    add(
        "- **Pre-delinquency model** — for an account at DPD 0 on the eve of the as-of day: P(its first 30+ DPD "
        "within 30, 90 and 180 days). One model gives all three horizons, calibrated, with P30 <= P90 <= P180 "
        "for every account-day (`ml/model.py`). Scored every as-of day into `ml.delinquency_scores`; the alert "
        "list and the ML-band indicators read the 90-day probability."
    )
    add(
        "- **Roll-forward model** — for an account already 1-29 DPD: P(this spell of arrears reaches 30 DPD "
        "before it cures) (`horizon_days` 0 in the scores). The collection list's probability for such accounts."
    )
    add("")
    add("## Population and label")
    add("")
    add(
        "- Trained on **current** account-days: DPD 0 on the eve, never 30+ DPD before; every 3rd as-of day "
        "(neighbouring days are near-copies). The label is a `dpd_30` milestone of the loan system's "
        "delinquency history; the hazard variant uses the days to it and the days the data covers (censoring)."
    )
    add(
        f"- Training data: the training portfolio (seed {results.train.seed}, {results.train.assets} vehicles, "
        f"{results.train.days} days to {results.train.end_date}), as-of days "
        f"{days['as_of_date'].min().date()} to {days['as_of_date'].max().date()}; {info['training_rows']:,} "
        "training rows. Simulated data only (docs/simulator.md)."
    )
    add("")
    add(f"## Features ({len(features)}, all point in time: data of days before the as-of day only)")
    add("")
    for prefix, text in groups.items():
        n = sum(f.startswith(prefix) for f in features)
        add(f"- `{prefix}*` ({n}): {text}")
    add("")
    add("## How it was chosen (validation folds of the training portfolio only)")
    add("")
    add(header("candidate", "AUC 90 d (out of fold)", "AUC 180 d (out of fold)"))
    for algo, d in info["validation_auc"].items():
        add(
            row(
                f"`{algo}`" + (" **chosen**" if algo == info["algorithm"] else ""),
                _f3(d.get(90)),
                _f3(d.get(180)),
            )
        )
    add("")
    eces = ", ".join(f"{k} {v:.4f}" for k, v in info["validation_ece"].items())
    add(
        f"Calibration: {info['calibration']} (cross-fitted expected calibration error: {eces}), fitted on "
        "out-of-fold predictions of current account-days, then a running maximum over the horizons."
    )
    if roll is not None:
        add(
            f"Roll-forward: `{roll.info.get('algorithm')}` (out-of-fold AUC "
            + ", ".join(f"{k} {_f3(v)}" for k, v in roll.info.get("validation_auc", {}).items())
            + "), Platt-calibrated."
        )
    add("")
    add("## Backtest (held-out portfolios, current account-days, 90% intervals [portfolio range])")
    add("")
    add(header("horizon", "AUC", "oracle AUC", "model / oracle", "ECE"))
    for h in bt.HORIZONS:
        r = cur[h]
        ratio = r["model"].value / r["oracle"].value if r["oracle"].value else float("nan")
        add(row(f"{h} d", r["model"].fmt(), r["oracle"].fmt(), _f3(ratio), _f3(cal[(h, "model")][1])))
    add("")
    m = st["model"]
    add(
        f"Weekly alert list (top {100 * results.budget:.0f}%): precision {m.precision.fmt(pct=True)}; recall "
        f">= 30 / 90 / 180 days ahead {m.recall[30].fmt(pct=True)} / {m.recall[90].fmt(pct=True)} / "
        f"{m.recall[180].fmt(pct=True)}; {m.false_alarms.fmt(digits=1)} false alarms per 100 healthy "
        "account-months."
    )
    add("")
    add("## Known limits")
    add("")
    add(
        "- Simulated portfolios only: the figures say how much of the simulator's signal the models recover, "
        "not how a real book behaves. Part of every default is unforeseeable by construction (life events, "
        "trouble that never shows in driving)."
    )
    add(
        "- The 30-day horizon on current accounts is nearly empty: an account at DPD 0 can only reach 30 DPD "
        "within 30 days through an installment already unpaid on the eve; its AUC is high and says little."
    )
    add(
        "- Accounts that were 30+ DPD before and cured are scored by the pre-delinquency model but were not in "
        "its training population (an extrapolation)."
    )
    add(
        "- Few defaulting accounts even in the training portfolio: the choice between algorithms rests on a "
        "few dozen accounts and is itself uncertain."
    )
    add("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(L))


def goals(cur: dict, st: dict, cal: dict) -> list[tuple[str, str, bool]]:
    """Issue 12's goals, each with its figure and whether it is met."""
    out = []
    for h, share in ((90, 0.9), (180, 0.85)):
        m, o = cur[h]["model"].value, cur[h]["oracle"].value
        ratio = m / o if o else float("nan")
        out.append(
            (f"AUC at {h} d >= {share} x oracle", f"{_f3(m)} / {_f3(o)} = {_f3(ratio)}", ratio >= share)
        )
    m, r, o = st["model"], st["random"], st["Monte-Carlo oracle"]
    pr = m.precision.value / r.precision.value if r.precision.value else float("nan")
    out.append(
        (
            "precision at 5% >= 2 x random",
            f"{_pct(m.precision.value)} vs {_pct(r.precision.value)} ({pr:.1f}x)",
            pr >= 2,
        )
    )
    po = m.precision.value / o.precision.value if o.precision.value else float("nan")
    out.append(
        (
            "precision >= 0.8 x oracle",
            f"{_pct(m.precision.value)} vs {_pct(o.precision.value)} ({po:.2f}x)",
            po >= 0.8,
        )
    )
    ro = m.recall[30].value / o.recall[30].value if o.recall[30].value else float("nan")
    out.append(
        (
            "recall >= 30 d ahead >= 0.8 x oracle",
            f"{_pct(m.recall[30].value)} vs {_pct(o.recall[30].value)} ({ro:.2f}x)",
            ro >= 0.8,
        )
    )
    for h in bt.HORIZONS:
        e = cal[(h, "model")][1]
        out.append((f"ECE at {h} d <= 0.02", _f3(e), bool(e <= 0.02)))
    for h in bt.HORIZONS:
        m_ = cur[h]["model"]
        for key, label in (("payment", "payment-only"), ("composite", "static-rule composite")):
            other = cur[h][key]
            ok = bool(m_.value > other.high) if not np.isnan(other.high) else False
            out.append(
                (f"beats {label} at {h} d, outside its interval", f"{_f3(m_.value)} vs {other.fmt()}", ok)
            )
    return out


def _verdict(cur: dict, st: dict) -> str:
    m, o, r = st["model"], st["Monte-Carlo oracle"], st["random"]
    lines = []
    for lead in bt.LEADS:
        lines.append(
            f"- **{lead} days ahead**: {_pct(m.recall[lead].value)} of accounts heading for their first "
            f"30+ DPD were on the model's list {lead} days before (interval {_pct(m.recall[lead].low)}–"
            f"{_pct(m.recall[lead].high)}); random alerts at the same budget: {_pct(r.recall[lead].value)}; "
            f"the oracle: {_pct(o.recall[lead].value)}."
        )
    lines.append(
        f"- Precision of the weekly list: model {_pct(m.precision.value)}, random {_pct(r.precision.value)}, "
        f"oracle {_pct(o.precision.value)}."
    )
    ratios = []
    for h in bt.HORIZONS:
        if cur[h]["oracle"].value:
            ratios.append(f"{h} d {cur[h]['model'].value / cur[h]['oracle'].value:.2f}")
    lines.append("- Model AUC / oracle AUC: " + ", ".join(ratios) + ".")
    return "\n".join(lines)
