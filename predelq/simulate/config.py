"""Parameters of one simulation run (the `predelq simulate` options), validated."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from predelq.errors import UserError

DEFAULT_END_DATE = dt.date(2026, 10, 31)  # fixed, not today: the same command gives the same data


@dataclass(frozen=True)
class SimConfig:
    assets: int = 450
    days: int = 240
    end_date: dt.date = DEFAULT_END_DATE
    seed: int = 42
    minute_step: int = 1
    dirty_rate: float = 0.002
    signal_strength: float = 1.0
    timezone: str = "Asia/Kolkata"
    # the Monte-Carlo oracle (predelq/simulate/oracle.py): every `oracle_every`-th as-of day,
    # `oracle_draws` re-simulated futures per account-day, P(first 30+ DPD within h days) per h
    oracle_every: int = 7
    oracle_draws: int = 100
    oracle_horizons: tuple[int, ...] = (30, 60, 90, 120, 180, 210)

    def __post_init__(self):
        if not 1 <= self.assets <= 200_000:
            raise UserError(f"--assets must be between 1 and 200000, got {self.assets}")
        if not 1 <= self.days <= 1000:
            raise UserError(f"--days must be between 1 and 1000, got {self.days}")
        if not 0 <= self.seed < 2**63:
            raise UserError(f"--seed must be a non-negative integer below 2**63, got {self.seed}")
        if self.minute_step < 1 or 1440 % self.minute_step:
            raise UserError(f"--minute-step must divide 1440 (1, 2, 5, 10, 15...), got {self.minute_step}")
        if not 0 <= self.dirty_rate <= 0.2:
            raise UserError(f"--dirty-rate is a fraction of rows between 0 and 0.2, got {self.dirty_rate}")
        if not 0 <= self.signal_strength <= 3:
            raise UserError(f"--signal-strength must be between 0 and 3, got {self.signal_strength}")
        if not 1 <= self.oracle_every <= 365:
            raise UserError(f"--oracle-every must be between 1 and 365 days, got {self.oracle_every}")
        if not 10 <= self.oracle_draws <= 10_000:
            raise UserError(f"--oracle-draws must be between 10 and 10000, got {self.oracle_draws}")
        if not self.oracle_horizons or any(not 1 <= h <= 365 for h in self.oracle_horizons):
            raise UserError(f"--oracle-horizons must be days between 1 and 365, got {self.oracle_horizons}")
        try:
            from zoneinfo import ZoneInfo

            ZoneInfo(self.timezone)
        except Exception as exc:
            raise UserError(f"--timezone {self.timezone!r} is not a known IANA time zone") from exc

    @property
    def window_start(self) -> dt.date:
        """First local day with telemetry."""
        return self.end_date - dt.timedelta(days=self.days - 1)

    def as_json_dict(self) -> dict:
        d = asdict(self)
        d["end_date"] = self.end_date.isoformat()
        d["oracle_horizons"] = list(self.oracle_horizons)
        return d
