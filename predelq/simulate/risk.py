"""Who each account is: its archetype (the kind of latent path it tends to take), its
baseline risk, and whether its own trouble shows in its driving.

An archetype is a tendency, not a fate: it sets how often the account's own
episodes of trouble start, how high and fast they rise and how likely they are
to pass (process.py has the numbers). Whether an account ever reaches 30+ DPD,
and when, is decided day by day by the process; nothing here says so.

| archetype | share | its own episodes (besides life events, ~0.1 a year for everyone) |
|---|---|---|
| healthy | 68% | rare (0.1 a year), rising for ~20 days, passing fast |
| gradual_decline | 14% | about one a year, rising slowly for ~4 months, slow to pass |
| sudden_shock | 5% | ~0.65 a year, at full height at once (job loss, accident) |
| stressed_recovers | 9% | ~1.5 a year, rising for ~2 weeks, passing within weeks |
| goes_dark | 4% | like gradual_decline; high enough, the device may go silent for good |

docs/simulator.md has the equations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from predelq.simulate.process import ARCHETYPES, BASE_LOW, BASE_SPAN, NONE, SHARES, SHOWS_IN_TELEMETRY

COHORTS = list(ARCHETYPES)  # the name the truth tables and reports use


@dataclass
class Profiles:
    archetype: np.ndarray
    shows: np.ndarray  # the account's own episodes change its driving
    base: np.ndarray  # baseline latent risk
    dark_from: np.ndarray  # day its device went silent for good (NONE: never), set by the run
    episodes: np.ndarray  # episodes started while the loan was on book (set by the run)
    first_episode: np.ndarray  # day the first of them started (NONE: none)

    @property
    def cohort(self) -> np.ndarray:
        return self.archetype


def assign_archetypes(n_accounts: int, rng: np.random.Generator) -> np.ndarray:
    """Exact archetype shares (rounded), shuffled over the accounts."""
    counts = np.round(SHARES * n_accounts).astype(int)
    counts[0] = n_accounts - counts[1:].sum()
    codes = np.repeat(np.arange(len(ARCHETYPES)), counts)
    rng.shuffle(codes)
    return codes


def draw_profiles(n_accounts: int, rng: np.random.Generator) -> Profiles:
    archetype = assign_archetypes(n_accounts, rng)
    shows = rng.random(n_accounts) < SHOWS_IN_TELEMETRY[archetype]
    base = BASE_LOW + BASE_SPAN * rng.beta(2, 5, n_accounts)
    none = np.full(n_accounts, NONE, dtype=np.int64)
    return Profiles(archetype, shows, base, none.copy(), np.zeros(n_accounts, dtype=np.int64), none.copy())
