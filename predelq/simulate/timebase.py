"""Local days and UTC instants.

Days are integers (days since 1970-01-01) naming LOCAL calendar days in the
run's time zone; instants are int64 microseconds since the epoch in UTC.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo

import numpy as np

from predelq.simulate.portfolio import int_day

US_PER_MIN = 60_000_000
US_PER_DAY = 1440 * US_PER_MIN


class LocalClock:
    def __init__(self, timezone: str):
        self.tz = ZoneInfo(timezone)

    @cache  # noqa: B019 - a few thousand days per run, instance lives for the run
    def midnight_us(self, day: int) -> int:
        """UTC microseconds of local midnight starting `day`."""
        local = dt.datetime.combine(int_day(day), dt.time(0, 0), tzinfo=self.tz)
        return int(local.astimezone(dt.UTC).timestamp()) * 1_000_000

    def minutes_in_day(self, day: int) -> int:
        return (self.midnight_us(day + 1) - self.midnight_us(day)) // US_PER_MIN

    def local_time_us(self, days: np.ndarray, minutes: np.ndarray) -> np.ndarray:
        """UTC microseconds of local `minutes` after local midnight of `days` (vectorised)."""
        days = np.asarray(days, dtype=np.int64)
        uniq, inv = np.unique(days, return_inverse=True)
        base = np.array([self.midnight_us(int(d)) for d in uniq], dtype=np.int64)
        return base[inv] + np.asarray(minutes, dtype=np.int64) * US_PER_MIN
