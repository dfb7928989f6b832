"""Everything but the minute telemetry: portfolio, profiles, loan book, the process, devices.

The order is fixed: structure -> profiles (archetype, baseline, whether trouble
shows in driving) -> loan terms and schedules (the same for every account,
whatever its future) -> the day-by-day process from the start of the risk grid to
the end date (latent risk, payments, DPD; snapshots of the sampled account-days
for the oracle) -> payment rows -> delinquency events derived from them by the
DPD rule -> statuses -> vehicles' lives. Each step draws from its own random
stream, so changing one never shifts another.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from predelq.simulate import catalog, devices, loanbook, process, risk
from predelq.simulate.config import SimConfig
from predelq.simulate.portfolio import Portfolio, build_portfolio, day_int

HISTORY_DAYS = 1130  # the process runs from this many days before the end date (loans are up to 3 years old)
CALENDAR_AHEAD = 400  # days after the end date the calendar covers (the oracle looks ahead)


def stream(seed: int, *k: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, *k])))


@dataclass
class Snapshot:
    """The lanes of the accounts open on the eve of a sampled as-of day, and their shocks."""

    as_of: int
    lanes: process.Lanes
    city: process.Shocks
    glob: process.Shocks


@dataclass
class History:
    """What the main run leaves behind."""

    r: np.ndarray  # latent risk (accounts x days from grid_start), float32
    common: np.ndarray  # r without the account's own episode
    episode: np.ndarray  # the episode level x
    dpd: np.ndarray  # DPD at the end of each day (the process's own count; the loan book agrees)
    rows: dict[str, np.ndarray]
    snapshots: list[Snapshot] = field(default_factory=list)


@dataclass
class World:
    cfg: SimConfig
    end: int
    window_start: int
    grid_start: int
    pf: Portfolio
    profiles: risk.Profiles
    terms: loanbook.Terms
    schedule: loanbook.Schedule
    payments: loanbook.Payments
    dq: loanbook.Delinquency
    st: loanbook.Statuses
    fleet: devices.Fleet
    history: History
    calendar: process.Calendar
    stress: np.ndarray  # telemetry stress (accounts x window days)
    holidays: set[int]

    @property
    def r(self) -> np.ndarray:
        return self.history.r

    @property
    def plan(self) -> risk.Profiles:  # the name devices and tables used before
        return self.profiles

    def risk_on(self, day: int) -> np.ndarray:
        return self.history.r[:, day - self.grid_start]

    def process_schedule(self) -> process.Schedule:
        return process.Schedule(self.schedule.due, self.schedule.total)


def oracle_days(cfg: SimConfig) -> list[int]:
    """As-of days the oracle samples: every `oracle_every`-th day from the day after the first
    telemetry day, up to the end date (state on the eve of each)."""
    first = day_int(cfg.window_start) + 1
    return list(range(first, day_int(cfg.end_date) + 1, cfg.oracle_every))


def run_history(
    pf: Portfolio,
    profiles: risk.Profiles,
    terms: loanbook.Terms,
    schedule: loanbook.Schedule,
    grid_start: int,
    end: int,
    cal: process.Calendar,
    rng: np.random.Generator,
    sample_days=(),
) -> History:
    """Step every account from grid_start to the end date, recording rows and snapshots."""
    n, n_days = pf.n_accounts, end - grid_start + 1
    debit = np.isin(np.array(terms.method), loanbook.DEBIT_METHODS)
    city = pf.customer_city[pf.account_customer]
    lanes = process.initial_lanes(
        profiles.archetype,
        profiles.base,
        debit,
        terms.disbursement,
        schedule.start[:-1],
        terms.tenure,
        city,
        rng,
    )
    city_shocks = process.Shocks.calm(len(catalog.CITIES))
    glob_shocks = process.Shocks.calm(1)
    sched = process.Schedule(schedule.due, schedule.total)
    rows = process.Rows.empty()
    r = np.empty((n, n_days), dtype=np.float32)
    common = np.empty((n, n_days), dtype=np.float32)
    episode = np.empty((n, n_days), dtype=np.float32)
    dpd = np.zeros((n, n_days), dtype=np.int16)
    wanted = set(sample_days)
    snapshots: list[Snapshot] = []
    for j in range(n_days):
        day = grid_start + j
        if day in wanted:  # the state on the eve of as-of day `day`
            idx = np.flatnonzero((lanes.disbursed < day) & ~lanes.gone)
            snapshots.append(
                Snapshot(
                    day, lanes.take(idx), city_shocks.take(lanes.city[idx]), glob_shocks.take(lanes.glob[idx])
                )
            )
        out = process.step(lanes, city_shocks, glob_shocks, day, sched, cal, rng, rows)
        r[:, j], common[:, j], episode[:, j] = out.r, out.common, lanes.x
        dpd[:, j] = np.minimum(lanes.dpd, np.iinfo(np.int16).max)
        on_book = day >= lanes.disbursed
        started = out.started & on_book
        first = started & (profiles.first_episode == process.NONE)
        profiles.first_episode[first] = day
        profiles.episodes += started
        went_dark = lanes.dark & (profiles.dark_from == process.NONE)
        profiles.dark_from[went_dark] = day
    return History(r, common, episode, dpd, rows.arrays(), snapshots)


def build_world(cfg: SimConfig, sample_oracle: bool = True) -> World:
    end = day_int(cfg.end_date)
    window_start = day_int(cfg.window_start)
    grid_start = min(end - HISTORY_DAYS, window_start - 30)
    pf = build_portfolio(cfg.seed, cfg.assets, stream(cfg.seed, 1))
    profiles = risk.draw_profiles(pf.n_accounts, stream(cfg.seed, 2))
    terms = loanbook.loan_terms(pf, end, stream(cfg.seed, 4))
    schedule = loanbook.build_schedule(terms)
    cal = process.Calendar.build(grid_start, end + CALENDAR_AHEAD)
    sample = oracle_days(cfg) if sample_oracle else ()
    history = run_history(pf, profiles, terms, schedule, grid_start, end, cal, stream(cfg.seed, 6), sample)
    payments = loanbook.payments_from_rows(history.rows, terms, stream(cfg.seed, 9))
    dq = loanbook.derive_delinquency(schedule, payments, end)
    st = loanbook.statuses(pf, terms, schedule, dq, end)
    fleet = devices.plan_fleet(cfg.seed, pf, terms, st, profiles, end, window_start, stream(cfg.seed, 7))
    cols = slice(window_start - grid_start, end - grid_start + 1)
    shown = np.where(profiles.shows[:, None], history.r[:, cols], history.common[:, cols])
    stress = (cfg.signal_strength * shown).astype(np.float32)
    hol = {day_int(d) for d in catalog.holidays(cfg.window_start, cfg.end_date)}
    return World(cfg, end, window_start, grid_start, pf, profiles, terms, schedule, payments, dq, st, fleet,
                 history, cal, stress, hol)  # fmt: skip
