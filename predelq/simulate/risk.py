"""Cohorts and the latent risk that drives every account's payments and driving.

Each account gets a cohort (exact shares, shuffled, so small portfolios still see
every cohort):

| cohort | share | story |
|---|---|---|
| healthy | 68% | low baseline, day-to-day noise, bad weeks; 10% have one stress episode |
| gradual_decline | 14% | risk ramps up from a warning start 30-180 days before the planned first 30+ DPD |
| sudden_default | 5% | low risk until a jump 3-20 days before the missed installment |
| stressed_recovers | 9% | a bump as high as a decliner's that goes back down (DPD stays below 30) |
| goes_dark | 4% | risk ramps up, the device goes silent 2-8 weeks before payments stop |

The latent risk r(t) in [0, 1] of an account on a day is

    r = clip(common + cohort_part)
    common = baseline + AR(1) noise + bad weeks (+ a stress episode for some healthy)

The loan book draws each installment's outcome from r on its due date; telemetry
draws each day's behaviour from `signal_strength * r` (or from the common part
only, when the account's decline does not show in telemetry). Both add their own
independent noise, so the same r can end in very different outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

COHORTS = ["healthy", "gradual_decline", "sudden_default", "stressed_recovers", "goes_dark"]
HEALTHY, GRADUAL, SUDDEN, STRESSED, DARK = range(5)
SHARES = np.array([0.68, 0.14, 0.05, 0.09, 0.04])
DEFAULTING = (GRADUAL, SUDDEN, DARK)
# probability that a cohort's extra risk shows in telemetry
SHOWS_IN_TELEMETRY = np.array([1.0, 0.75, 0.0, 0.75, 0.6])

NONE = -1  # "no date" in the int day arrays


def assign_cohorts(n_accounts: int, rng: np.random.Generator) -> np.ndarray:
    """Exact cohort shares (rounded), shuffled over the accounts."""
    counts = np.round(SHARES * n_accounts).astype(int)
    counts[HEALTHY] = n_accounts - counts[1:].sum()
    codes = np.repeat(np.arange(len(COHORTS)), counts)
    rng.shuffle(codes)
    return codes


def target_first_dpd30(cohorts: np.ndarray, end: int, days: int, rng: np.random.Generator) -> np.ndarray:
    """Target day of the first 30+ DPD for defaulting cohorts (NONE for others).

    85% fall between ~60 days after the telemetry window starts and the end date,
    15% up to 45 days after it (censored: they will default, but not yet).
    """
    lo = end - max(days - 60, min(days, 30))
    out = np.full(len(cohorts), NONE, dtype=np.int64)
    for i in np.flatnonzero(np.isin(cohorts, DEFAULTING)):
        if rng.random() < 0.85:
            out[i] = int(rng.integers(lo, end + 1))
        else:
            out[i] = int(rng.integers(end + 1, end + 46))
    return out


@dataclass
class RiskPlan:
    cohort: np.ndarray
    shows: np.ndarray  # the extra risk shows in telemetry
    planned_dpd30: np.ndarray  # day the first 30+ DPD is planned (missed due + 30)
    missed_due: np.ndarray  # due day of the first installment that is never paid
    warning_start: np.ndarray  # day the cohort's extra risk starts
    dark_from: np.ndarray  # goes_dark: day the device goes silent
    peak: np.ndarray  # height of the cohort's extra risk
    width: np.ndarray  # stressed_recovers: width (days) of the bump centred at warning_start + 2 width


def plan_risk(cohorts, missed_due, end, window_start, rng) -> RiskPlan:
    """Warning starts, dark days and peaks, given each defaulter's missed installment."""
    n = len(cohorts)
    shows = rng.random(n) < SHOWS_IN_TELEMETRY[cohorts]
    planned = np.where(missed_due != NONE, missed_due + 30, NONE)
    warning = np.full(n, NONE, dtype=np.int64)
    dark = np.full(n, NONE, dtype=np.int64)
    peak = np.zeros(n)
    width = np.zeros(n)
    for i in range(n):
        c = cohorts[i]
        if c == GRADUAL:
            warning[i] = planned[i] - int(rng.integers(30, 181))
            peak[i] = rng.uniform(0.55, 0.95)
        elif c == SUDDEN:
            warning[i] = missed_due[i] - int(rng.integers(3, 21))
            peak[i] = rng.uniform(0.5, 0.85)
        elif c == DARK:
            warning[i] = planned[i] - int(rng.integers(45, 151))
            dark[i] = missed_due[i] - int(rng.integers(14, 57))
            peak[i] = rng.uniform(0.6, 0.9)
        elif c == STRESSED:
            centre = int(rng.integers(window_start - 30, max(window_start - 29, end - 10)))
            width[i] = int(rng.integers(12, 41))
            warning[i] = centre - 2 * int(width[i])
            peak[i] = rng.uniform(0.4, 0.8)
    return RiskPlan(cohorts, shows, planned, missed_due, warning, dark, peak, width)


def latent_risk(plan: RiskPlan, grid_start: int, n_days: int, rng: np.random.Generator):
    """(r, common): float32 arrays (accounts x days) from grid_start.

    `common` is the part every account has (baseline, noise, bad weeks, healthy
    stress episodes); `r` adds the cohort's own story.
    """
    n = len(plan.cohort)
    t = np.arange(n_days)
    base = 0.03 + 0.12 * rng.beta(2, 5, n)
    # AR(1) day-to-day noise
    noise = np.empty((n, n_days), dtype=np.float64)
    e = rng.normal(0, 0.049, n)
    shocks = rng.normal(0, 0.018, (n, n_days))
    for j in range(n_days):
        e = 0.93 * e + shocks[:, j]
        noise[:, j] = e
    common = base[:, None] + noise
    # bad weeks: about one every 80 days, 3-14 days long
    n_bad = rng.poisson(n_days / 80, n)
    who = np.repeat(np.arange(n), n_bad)
    first = rng.integers(0, n_days, len(who))
    stop = np.minimum(first + rng.integers(3, 15, len(who)), n_days)
    height = rng.uniform(0.1, 0.35, len(who))
    steps = np.zeros((n, n_days + 1))
    np.add.at(steps, (who, first), height)
    np.add.at(steps, (who, stop), -height)
    common += np.cumsum(steps, axis=1)[:, :n_days]
    # one stress episode for 10% of healthy accounts
    for i in np.flatnonzero(plan.cohort == HEALTHY):
        if rng.random() < 0.10:
            c, w = rng.uniform(0, n_days), rng.uniform(8, 25)
            common[i] += rng.uniform(0.3, 0.6) * np.exp(-0.5 * ((t - c) / w) ** 2)

    extra = np.zeros((n, n_days))
    for i in range(n):
        c = plan.cohort[i]
        if c in (GRADUAL, DARK):
            w0 = plan.warning_start[i] - grid_start
            p0 = plan.planned_dpd30[i] - grid_start
            x = np.clip((t - w0) / max(1, p0 - w0), 0, 1)
            extra[i] = (plan.peak[i] - base[i]) * x ** rng.uniform(0.8, 2.0)
        elif c == SUDDEN:
            extra[i] = np.where(t >= plan.warning_start[i] - grid_start, plan.peak[i], 0.0)
        elif c == STRESSED:
            w = plan.width[i]
            centre = plan.warning_start[i] - grid_start + 2 * w
            extra[i] = plan.peak[i] * np.exp(-0.5 * ((t - centre) / w) ** 2)
    r = np.clip(common + extra, 0.005, 0.995).astype(np.float32)
    return r, np.clip(common, 0.005, 0.995).astype(np.float32)
