"""Why a score is high: the features that moved it most against the portfolio's typical account.

Two ways, by model:

* logistic (hazard) models: **exact contributions** to the log-odds,
  beta_j (x_j - typical_j) with typical = the training rows' median
  (`explain_contributions`); the three largest positive ones above `MIN_LOGIT`;
* any other model (boosted trees): for each feature, the feature is set back to the
  typical value and the account re-scored; the drop in probability is that
  feature's push (`explain`); the three largest above `MIN_PUSH`.

Each reason is written with the account's value ("3 bounced payments in the last
90 days"). Both only use the model file and the features, so every engine gives
the same text.
"""

from __future__ import annotations

import math

import numpy as np

MAX_REASONS = 3
MIN_PUSH = 0.005  # half a percentage point
MIN_LOGIT = 0.05  # a contribution to the log-odds worth naming (about 5% more odds)


def _num(v: float, digits: int = 0) -> str:
    return f"{v:,.{digits}f}"


def _pct(v: float) -> str:
    return f"{v * 100:.0f}%"


def _int(v: float) -> str:
    return _num(v, 0)


def _signed(v: float) -> str:
    return f"{v:+.0f}"


# feature -> (phrase template, formatter of the value). `{v}` is the formatted value.
# Features without an entry fall back to "<feature name> unusual (<value>)".
PHRASES: dict[str, tuple[str, object]] = {
    # the loan
    "acct_days_on_book": ("loan only {v} days old", _int),
    "acct_loan_amount": ("loan of INR {v}", _int),
    "acct_tenure_months": ("{v}-month loan term", _int),
    "acct_interest_rate": ("interest rate {v}", lambda v: f"{v * 100:.1f}%"),
    "acct_outstanding_share": ("{v} of the loan still outstanding", _pct),
    "acct_vehicles": ("{v} financed vehicle(s) on the account", _int),
    # repayment history
    "pay_days_past_due": ("{v} days past due now", _int),
    "pay_max_dpd_90d": ("up to {v} days past due in the last 90 days", _int),
    "pay_max_dpd_180d": ("up to {v} days past due in the last 180 days", _int),
    "pay_prior_dpd30_episodes": ("{v} earlier spell(s) of 30+ days past due", _int),
    "pay_installments_overdue": ("{v} installment(s) overdue", _int),
    "pay_arrears_pct_of_loan": ("arrears of {v}% of the loan", lambda v: _num(v, 1)),
    "pay_paid_ratio_to_date": ("paid {v} of everything due so far", _pct),
    "pay_paid_ratio_90d": ("paid {v} of what fell due in the last 90 days", _pct),
    "pay_days_since_last_payment": ("no payment received for {v} days", _int),
    "pay_missed_30d": ("{v} missed payment(s) in the last 30 days", _int),
    "pay_bounced_30d": ("{v} bounced payment(s) in the last 30 days", _int),
    "pay_partial_30d": ("{v} partial payment(s) in the last 30 days", _int),
    "pay_missed_90d": ("{v} missed payment(s) in the last 90 days", _int),
    "pay_bounced_90d": ("{v} bounced payment(s) in the last 90 days", _int),
    "pay_partial_90d": ("{v} partial payment(s) in the last 90 days", _int),
    "pay_days_late_last_installment": ("last installment paid {v} days late", _int),
    "pay_days_late_second_last_installment": ("installment before last paid {v} days late", _int),
    "pay_days_late_third_last_installment": ("installment three back paid {v} days late", _int),
    "pay_days_to_next_due": ("next installment due in {v} days", _int),
    "pay_next_due_to_usual_payment_ratio": (
        "next installment is {v} of what the customer usually pays",
        _pct,
    ),
    # telemetry
    "tel_km_per_vehicle_avg_7d": ("driving {v} km a day per vehicle last week", _int),
    "tel_km_per_vehicle_avg_30d": ("driving {v} km a day per vehicle last month", _int),
    "tel_km_ratio_7d_30d": ("last week's driving at {v} of the month's average", _pct),
    "tel_km_ratio_30d_prior_60d": ("last month's driving at {v} of the two months before", _pct),
    "tel_active_minutes_ratio_7d_30d": ("time on the road last week at {v} of the month's average", _pct),
    "tel_charging_minutes_ratio_7d_30d": ("charging last week at {v} of the month's average", _pct),
    "tel_charging_minutes_ratio_30d_prior_60d": ("charging last month at {v} of the two months before", _pct),
    "tel_at_base_share_pct_avg_7d": ("{v}% of last week's time at the home base", _int),
    "tel_at_base_share_change_pts": ("time at the home base changed by {v} points", _signed),
    "tel_max_distance_from_base_km": ("vehicle went {v} km from its home base", _int),
    "tel_nights_away_from_base_30d": ("{v} nights away from the home base in the last 30 days", _int),
    "tel_data_completeness_pct_avg_7d": ("device reported only {v}% of the time last week", _int),
    "tel_data_completeness_pct_avg_30d": ("device reported only {v}% of the time last month", _int),
    "tel_data_completeness_change_pts": ("device reporting changed by {v} points", _signed),
    "tel_max_hours_since_last_signal": ("no signal from a vehicle for {v} hours", _int),
    "tel_max_idle_day_streak": ("a vehicle idle {v} days in a row", _int),
    "tel_max_silent_day_streak": ("a device silent {v} days in a row", _int),
    "tel_working_day_km_ratio_30d_prior_150d": ("working-day driving at {v} of its usual level", _pct),
    "tel_working_day_active_hours_30d": (
        "{v} hours on the road a working day last month",
        lambda v: _num(v, 1),
    ),
    "tel_working_day_active_hours_ratio_30d_prior_150d": (
        "working-day hours on the road at {v} of their usual level",
        _pct,
    ),
    "tel_z_utilisation_drop": ("driving {v} spreads below its own usual level", lambda v: _num(v, 1)),
    "tel_z_charging_irregularity": ("charging {v} spreads off its own routine", lambda v: _num(v, 1)),
    "tel_z_data_gaps": ("device reporting {v} spreads below its usual level", lambda v: _num(v, 1)),
    "tel_z_low_soc_habit": ("battery {v} spreads lower than usual", lambda v: _num(v, 1)),
    "acct_season_sin": ("the time of year", lambda v: _num(v, 2)),
    "acct_season_cos": ("the time of year", lambda v: _num(v, 2)),
    "tel_silent_days_per_vehicle_30d": (
        "{v} silent days per vehicle in the last 30 days",
        lambda v: _num(v, 1),
    ),
}


MISSING = {"tel_": "no recent data from the vehicle", "pay_": "no repayment history yet"}


def phrase(feature: str, value: float) -> str:
    template, fmt = PHRASES.get(feature, (None, None))
    if template is None and feature.startswith("ind_"):
        name = feature[4:].replace("_", " ")
        template, fmt = f"rule score {{v}}/5 for {name}", _int
    if template is None:
        shown = (
            "missing" if value is None or (isinstance(value, float) and math.isnan(value)) else _num(value, 2)
        )
        return f"{feature.split('_', 1)[-1].replace('_', ' ')} unusual ({shown})"
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING.get(feature[:4], "data missing")
    return template.format(v=fmt(value))


def explain_contributions(contributions: np.ndarray, X: np.ndarray, features: list[str]) -> list[str]:
    """Reasons from exact log-odds contributions (rows x features)."""
    out = []
    for i in range(len(X)):
        c = np.nan_to_num(contributions[i], nan=0.0)
        order = np.argsort(-c, kind="stable")
        top = [j for j in order[:MAX_REASONS] if c[j] > MIN_LOGIT]
        out.append("; ".join(phrase(features[j], float(X[i, j])) for j in top))
    return out


def explain(predict, X: np.ndarray, proba: np.ndarray, features: list[str], medians: dict) -> list[str]:
    """One '; '-joined reason string per row of X (empty string when nothing stands out).

    `predict` maps a feature matrix to probabilities."""
    n, k = X.shape
    if n == 0 or k == 0:
        return [""] * n
    stacked = np.repeat(X[np.newaxis, :, :], k, axis=0)  # (k, n, k)
    for j, f in enumerate(features):
        stacked[j, :, j] = medians.get(f, np.nan)
    counterfactual = np.asarray(predict(stacked.reshape(k * n, k))).reshape(k, n)
    push = proba[np.newaxis, :] - counterfactual  # (k, n): how much feature j raised row i
    out = []
    for i in range(n):
        order = np.argsort(-push[:, i], kind="stable")
        top = [j for j in order[:MAX_REASONS] if push[j, i] > MIN_PUSH]
        out.append("; ".join(phrase(features[j], float(X[i, j])) for j in top))
    return out
