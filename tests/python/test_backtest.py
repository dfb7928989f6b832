"""The backtest (`predelq evaluate`) on small portfolios: who is judged, the oracle as a ceiling,
random alerts at the base rate, and models that are never refitted on a held-out portfolio."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from predelq.evaluation import backtest as bt
from predelq.simulate.truth import auc

SMALL = """
[defaults]
assets = 80
days = 380
minute_step = 60
end_date = "2026-10-31"
oracle_draws = 50
oracle_every = 7

[training]
name = "train"
seed = 42
assets = 160

[[held_out]]
name = "held"
seed = 9301
"""


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    from predelq.evaluation import frames, run

    folder = tmp_path_factory.mktemp("backtest")
    config = folder / "portfolios.toml"
    config.write_text(SMALL)
    from ml import model as mdl

    fitted_during: list[str] = []
    loading: list[str] = []
    real_make, real_cal, real_load = mdl.make_classifier, mdl.Calibrator.fit, frames.load

    def spy_make(*args, **kwargs):  # every classifier the models fit is made here
        fitted_during.append(loading[-1] if loading else "")
        return real_make(*args, **kwargs)

    def spy_cal(self, *args, **kwargs):  # and every calibrator is fitted here
        fitted_during.append(loading[-1] if loading else "")
        return real_cal(self, *args, **kwargs)

    def spy_load(path, name="", role="", seed=0):
        loading.append(role)
        return real_load(path, name, role, seed)

    mp = pytest.MonkeyPatch()
    mp.setattr(mdl, "make_classifier", spy_make)
    mp.setattr(mdl.Calibrator, "fit", spy_cal)
    mp.setattr(frames, "load", spy_load)
    try:
        res = run.run_backtest(folder / "work", config_path=config, log=lambda *_: None)
    finally:
        mp.undo()
    return res, fitted_during


def test_models_are_fitted_on_the_training_portfolio_only(results):
    res, fitted_during = results
    assert fitted_during and set(fitted_during) == {"train"}
    assert {f.role for f in res.frames.values()} == {"train", "held_out"}


def test_a_frozen_model_that_changes_while_scoring_is_refused(results, monkeypatch):
    res, _ = results
    frozen = res.models["model"]
    held = next(f for f in res.frames.values() if f.role == "held_out")
    frozen.predict(held.days.head(50))  # untouched: fine
    cls = type(frozen.model)
    original = cls.predict_matrix

    def changing(self, X):
        self.refitted_here = True  # any change to the model's state while scoring
        return original(self, X)

    monkeypatch.setattr(cls, "predict_matrix", changing)
    try:
        with pytest.raises(RuntimeError, match="frozen"):
            frozen.predict(held.days.head(50))
    finally:
        frozen.model.__dict__.pop("refitted_here", None)


def test_the_current_population_excludes_every_account_day_in_arrears(results):
    res, _ = results
    f = res.held_sample.frame
    cur = f[f["is_current"]]
    assert len(cur) > 500
    assert (cur["pay_days_past_due"] == 0).all() and (cur["pay_prior_dpd30_episodes"] == 0).all()
    # the simulator's own DPD on the eve agrees (an independent source: truth.oracle)
    import duckdb

    held = res.held[0]
    con = duckdb.connect(str(res.folder / f"{held.name}.duckdb"))
    try:
        truth = con.execute(
            "select cast(account_id as varchar) as account_id, as_of_date, max(dpd_on_eve) as dpd, "
            "bool_or(ever_dpd30) as ever from truth.oracle group by 1, 2"
        ).df()
    finally:
        con.close()
    truth["as_of_date"] = pd.to_datetime(truth["as_of_date"])
    m = cur.merge(truth, on=["account_id", "as_of_date"], how="inner")
    assert len(m) > 0.95 * len(cur)
    assert (m["dpd"] == 0).all() and (~m["ever"]).all()
    # and the roll-forward rows are exactly the 1-29 DPD ones
    roll = f[f["is_roll"]]
    assert ((roll["pay_days_past_due"] > 0) & (roll["pay_days_past_due"] < 30)).all()


def test_the_oracle_ranks_at_least_as_well_as_the_model(results):
    res, _ = results
    f = pd.concat([res.held_sample.frame, res.train_sample.frame], ignore_index=True)
    cur = f["is_current"].to_numpy()
    y = f["label_dpd30_90d"].to_numpy(dtype=float)
    ok = cur & ~np.isnan(y)
    oracle = auc(f["oracle_90d"].to_numpy()[ok], y[ok].astype(bool))
    model = auc(f["model_90d"].to_numpy()[ok], y[ok].astype(bool))
    assert oracle > 0.7, oracle
    assert oracle >= model - 0.02, (oracle, model)


def test_random_alerts_land_near_the_base_rate(results):
    res, _ = results
    sample = res.held_sample
    f = sample.frame
    cur = f["is_current"].to_numpy()
    day = (f["portfolio"] + "|" + f["as_of_date"].astype(str)).to_numpy()
    flags = np.zeros(len(f), dtype=bool)
    flags[cur] = bt.alert_flags(f["random"].to_numpy()[cur], day[cur], 0.2, np.random.default_rng(1))
    result = bt.judge_stream(sample, "random", flags, 0.2)
    y90 = f["label_dpd30_90d"].to_numpy(dtype=float)
    base = np.nanmean(y90[cur])
    p = result.precision
    assert p.low <= base <= p.high, (base, p)
    assert result.volume.value == pytest.approx(0.2, abs=0.02)


def test_weighted_auc_is_the_pairwise_definition():
    rng = np.random.default_rng(4)
    s = rng.integers(0, 6, 300).astype(float)
    y = (rng.random(300) < 0.3).astype(float)
    w = rng.integers(0, 3, 300).astype(float)
    order, groups = bt.sort_groups(s)
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    num = sum(w[i] * w[j] * ((s[i] > s[j]) + 0.5 * (s[i] == s[j])) for i in pos for j in neg)
    assert bt.weighted_auc(order, groups, y, w) == pytest.approx(num / (w[pos].sum() * w[neg].sum()))


def test_recall_counts_one_review_per_account():
    """An account alerted every week but not in the review L days ahead is not 'warned L days ahead'."""
    days = pd.date_range("2026-01-01", periods=30, freq="7D")
    t = days[20] + pd.Timedelta(days=3)
    frame = pd.DataFrame(
        {
            "portfolio": "p",
            "account_id": "a",
            "unit": "p/a",
            "as_of_date": days,
            "first30": t,
            "is_current": days <= t,
            "pay_prior_dpd30_episodes": 0.0,
        }
    )
    cutoff = t - pd.Timedelta(days=30)
    flags = (frame["as_of_date"] < cutoff - pd.Timedelta(days=7)).to_numpy()
    leads = bt.lead_table(frame, flags)
    assert bool(leads["eligible_30"].iloc[0]) and not bool(leads["on_list_30"].iloc[0])
    assert bool(leads["watched_30"].iloc[0])
    flags2 = (
        (frame["as_of_date"] <= cutoff) & (frame["as_of_date"] > cutoff - pd.Timedelta(days=7))
    ).to_numpy()
    assert bool(bt.lead_table(frame, flags2)["on_list_30"].iloc[0])
