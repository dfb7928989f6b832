"""Everything but the minute telemetry: portfolio, cohorts, loan book, devices.

The order matters and is fixed: structure -> cohorts and target dates -> loan
terms (defaulters get loans old enough to default when planned) -> schedules ->
the installment each defaulter stops paying -> risk plan and latent risk ->
payments -> delinquency events derived from them -> statuses -> vehicles' lives.
Each step draws from its own random stream, so changing one never shifts another.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from predelq.simulate import catalog, devices, loanbook, risk
from predelq.simulate.config import SimConfig
from predelq.simulate.portfolio import Portfolio, build_portfolio, day_int

HISTORY_DAYS = 1130  # latent risk is drawn from this many days before the end date


def stream(seed: int, k: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, k])))


@dataclass
class World:
    cfg: SimConfig
    end: int
    window_start: int
    grid_start: int
    pf: Portfolio
    plan: risk.RiskPlan
    terms: loanbook.Terms
    schedule: loanbook.Schedule
    payments: loanbook.Payments
    dq: loanbook.Delinquency
    st: loanbook.Statuses
    fleet: devices.Fleet
    r: np.ndarray  # latent risk (accounts x days from grid_start)
    common: np.ndarray  # the part of r every account has (shown in telemetry when the rest is not)
    stress: np.ndarray  # telemetry stress (accounts x window days)
    holidays: set[int]

    def risk_on(self, day: int) -> np.ndarray:
        return self.r[:, day - self.grid_start]


def build_world(cfg: SimConfig) -> World:
    end = day_int(cfg.end_date)
    window_start = day_int(cfg.window_start)
    grid_start = end - HISTORY_DAYS
    pf = build_portfolio(cfg.seed, cfg.assets, stream(cfg.seed, 1))
    cohorts = risk.assign_cohorts(pf.n_accounts, stream(cfg.seed, 2))
    target = risk.target_first_dpd30(cohorts, end, cfg.days, stream(cfg.seed, 3))
    terms = loanbook.loan_terms(pf, cohorts, target, end, stream(cfg.seed, 4))
    schedule = loanbook.build_schedule(terms)
    missed_due = loanbook.choose_missed_due(schedule, target)
    plan = risk.plan_risk(cohorts, missed_due, end, window_start, stream(cfg.seed, 5))
    r, common = risk.latent_risk(plan, grid_start, HISTORY_DAYS + 1, stream(cfg.seed, 6))
    payments = loanbook.generate_payments(cfg.seed, terms, schedule, cohorts, missed_due, r, grid_start, end)
    dq = loanbook.derive_delinquency(schedule, payments, end)
    st = loanbook.statuses(pf, terms, schedule, dq, end)
    fleet = devices.plan_fleet(cfg.seed, pf, terms, st, plan, end, window_start, stream(cfg.seed, 7))
    cols = slice(window_start - grid_start, end - grid_start + 1)
    shown = np.where(plan.shows[:, None], r[:, cols], common[:, cols])
    stress = (cfg.signal_strength * shown).astype(np.float32)
    hol = {day_int(d) for d in catalog.holidays(cfg.window_start, cfg.end_date)}
    return World(cfg, end, window_start, grid_start, pf, plan, terms, schedule, payments, dq, st, fleet, r,
                 common, stress, hol)  # fmt: skip
