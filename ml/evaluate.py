"""The `predelq evaluate` section for the delinquency models.

For each horizon, on the held-out later period of the same time split `predelq
train` uses (ml.train.time_split), it compares:

* the model: both algorithms trained on the training period with every feature,
  the one with the higher hold-out AUC reported as "model" (what `train` activates);
* (a) a payment-only baseline: the same training on loan-book features alone
  (`pay_*`: DPD, bounces, misses, partials, paid ratio...);
* (b) the static-rule composite indicator (`ind_composite_account_risk`, the 1-5
  rule score of the day before the as-of day), used as a score as it is;
* (c) the oracle: the simulator's latent risk of the account on the day before the
  as-of day (truth.account_daily_risk), the simulator's "best any model could know";
  (c') the same latent risk plus the loan-book features, trained like the model: the
  oracle does not see the arrears already on the books, which at 30 days tell more
  than any latent risk, so (c') is the fairer ceiling there.

Every score is judged on the same test rows. Brier needs a probability: the rule
score and the oracle get one from a one-variable logistic fit on the training
rows (monotone, so it does not change their AUC). Headline: model AUC / oracle AUC.
Only this module reads the `truth` schema.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ml import config

COMPOSITE = "ind_composite_account_risk"


def _fmt(v, digits: int = 3) -> str:
    return "n/a" if v is None or (isinstance(v, float) and np.isnan(v)) else f"{v:.{digits}f}"


def load_oracle(db) -> pd.DataFrame:
    """truth.account_daily_risk shifted to the as-of convention: risk on as_of_date - 1."""
    risk = db.query_df("select account_id, day, latent_risk from truth.account_daily_risk")
    risk["account_id"] = risk["account_id"].astype(str)
    risk["as_of_date"] = pd.to_datetime(risk["day"]) + pd.Timedelta(days=1)
    risk["oracle_risk"] = risk["latent_risk"].astype(float)
    return risk[["account_id", "as_of_date", "oracle_risk"]]


def _one_variable_probability(train: pd.DataFrame, test: pd.DataFrame, column: str, label: str) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    x_train = train[[column]].fillna(train[column].median()).to_numpy()
    x_test = test[[column]].fillna(train[column].median()).to_numpy()
    return LogisticRegression().fit(x_train, train[label].to_numpy()).predict_proba(x_test)[:, 1]


def compare_horizon(df: pd.DataFrame, horizon: int) -> dict:
    """Metrics of every score on the horizon's test period (raises ml.train.NotEnoughData)."""
    from ml import train as tr
    from ml.features import feature_columns
    from ml.metrics import binary_metrics

    label = config.label_column(horizon)
    rows = tr.labelled(df, horizon)
    if rows.empty:
        raise tr.NotEnoughData("no labelled rows")
    split = tr.time_split(rows, horizon)
    tr.check_trainable(split.train, label, "training period")
    tr.check_trainable(split.test, label, "test period")
    test = split.test
    y, days = test[label].to_numpy(), test["as_of_date"].to_numpy()
    all_features = feature_columns(df.columns)
    pay_features = feature_columns(df.columns, config.PAYMENT_ONLY_PREFIXES)

    def best_of(features: list[str]) -> tuple[str, dict]:
        results = {}
        for algorithm in tr.ALGORITHMS:
            _, p = tr.fit_predict(algorithm, split.train, test, features, label)
            results[algorithm] = binary_metrics(y, p, days)
        name = max(results, key=lambda a: (results[a]["auc"] or 0.0, a == "hgb"))
        return name, results

    out: dict = {"split": split.info, "rows": []}
    algo, model_results = best_of(all_features)
    out["rows"].append((f"model ({_algo_name(algo)})", model_results[algo]))
    other = next(a for a in tr.ALGORITHMS if a != algo)
    out["rows"].append((f"model, other algorithm ({_algo_name(other)})", model_results[other]))
    if pay_features:
        p_algo, pay_results = best_of(pay_features)
        out["rows"].append((f"(a) payment-only baseline ({_algo_name(p_algo)})", pay_results[p_algo]))
    if COMPOSITE in df.columns:
        m = binary_metrics(y, test[COMPOSITE].fillna(1).to_numpy(), days)
        m["brier"] = binary_metrics(y, _one_variable_probability(split.train, test, COMPOSITE, label), days)[
            "brier"
        ]
        out["rows"].append(("(b) static-rule composite indicator", m))
    if "oracle_risk" in df.columns and test["oracle_risk"].notna().any():
        covered = test["oracle_risk"].notna().to_numpy()
        m = binary_metrics(y[covered], test.loc[covered, "oracle_risk"].to_numpy(), days[covered])
        train_cov = split.train[split.train["oracle_risk"].notna()]
        m["brier"] = binary_metrics(
            y[covered],
            _one_variable_probability(train_cov, test[covered], "oracle_risk", label),
            days[covered],
        )["brier"]
        out["rows"].append(("(c) oracle: simulator's latent risk", m))
        out["oracle_auc"] = m["auc"]
        if pay_features:
            o_algo, o_results = best_of([*pay_features, "oracle_risk"])
            out["rows"].append((f"(c') oracle + repayment state ({_algo_name(o_algo)})", o_results[o_algo]))
    out["model_auc"] = model_results[algo]["auc"]
    out["test"] = {
        "rows": len(test),
        "positives": int(y.sum()),
        "accounts": test["account_id"].nunique(),
    }
    return out


def _algo_name(algorithm: str) -> str:
    return {"hgb": "HistGradientBoosting", "logreg": "logistic regression"}[algorithm]


def section(target) -> str:
    from ml import features as feats
    from ml import train as tr
    from ml.db import Db

    with Db.open(target) as db:
        df = feats.load(db)
        try:
            oracle = load_oracle(db)
        except Exception as exc:  # no truth schema (real data): report without the oracle
            oracle = None
            oracle_note = f"no oracle: {type(exc).__name__}: {str(exc).splitlines()[0]}"
        else:
            oracle_note = None
        sim_oracle = _simulator_oracle_auc(db)
    if oracle is not None:
        df = df.merge(oracle, on=["account_id", "as_of_date"], how="left")
    lines = [
        "Per horizon, every score is judged on the same held-out later period (the split "
        "`predelq train` uses: test = the last 30% of labelled as-of days of one account in three, "
        "never trained on; training = earlier days of the other accounts, dropping rows whose "
        "label window reaches the test period when the history allows). "
        "Precision/recall/lift: the 10% highest-scored accounts of each as-of day. "
        "Brier of the rule score and the oracle: after a one-variable logistic fit on the training rows. "
        "The oracle (c) knows the simulator's latent risk but not the arrears already on the books, "
        "so at short horizons a model that sees DPD can beat it; (c') adds the repayment features to it.",
        "",
    ]
    if oracle_note:
        lines += [f"_{oracle_note}_", ""]
    headline = []
    for horizon in config.HORIZONS:
        lines.append(f"### Reaching 30+ DPD within {horizon} days")
        lines.append("")
        try:
            with config.thread_limits():
                res = compare_horizon(df, horizon)
        except tr.NotEnoughData as exc:
            lines += [f"Not evaluated: {exc}.", ""]
            headline.append(f"| {horizon}d | n/a | n/a | n/a |")
            continue
        s, t = res["split"], res["test"]
        lines.append(
            f"Train {s['train_start']}..{s['train_end']} ({s['train_rows']:,} account-days), "
            f"test {s['test_start']}..{s['test_end']} ({t['rows']:,} account-days, {t['accounts']} accounts, "
            f"{t['positives']:,} positive, base rate {t['positives'] / max(t['rows'], 1):.3f})."
        )
        if s.get("note"):
            lines.append(f"Caveat: {s['note']}.")
        lines += [
            "",
            "| score | AUC | PR-AUC | Brier | precision top 10% | recall top 10% | lift top 10% |",
            "|---|---|---|---|---|---|---|",
        ]
        for name, m in res["rows"]:
            lines.append(
                f"| {name} | {_fmt(m['auc'])} | {_fmt(m['pr_auc'])} | {_fmt(m['brier'], 4)} | "
                f"{_fmt(m['precision_top10'])} | {_fmt(m['recall_top10'])} | {_fmt(m['lift_top10'], 1)} |"
            )
        ratio = (
            res["model_auc"] / res["oracle_auc"] if res.get("oracle_auc") and res.get("model_auc") else None
        )
        lines += ["", f"**Model AUC / oracle AUC = {_fmt(ratio)}**", ""]
        if (res.get("model_auc") or 0.0) < config.min_active_auc():
            lines += [
                f"The model's hold-out AUC is below the activation floor ({config.min_active_auc()}, "
                "`PREDELQ_ML_MIN_AUC`): `predelq train` registers it but does not switch it on, so this "
                "horizon is not scored until a model passes.",
                "",
            ]
        headline.append(
            f"| {horizon}d | {_fmt(res.get('model_auc'))} | {_fmt(res.get('oracle_auc'))} | {_fmt(ratio)} |"
        )
    summary = ["| horizon | model AUC | oracle AUC | model / oracle |", "|---|---|---|---|", *headline, ""]
    if sim_oracle:
        summary.append(
            "The simulator's own oracle AUC over every labelled as-of day (predelq.simulate.truth): "
            + ", ".join(f"{h}d {_fmt(v)}" for h, v in sim_oracle.items())
            + ". The figures above use the test period only."
        )
        summary.append("")
    return "\n".join(summary + lines)


def _simulator_oracle_auc(db) -> dict | None:
    try:
        from predelq.simulate.truth import oracle_auc

        return {h: oracle_auc(db.con, h) for h in config.HORIZONS}
    except Exception:  # truth missing or helper changed: the section still reports the rest
        return None
