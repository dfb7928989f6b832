"""Loader settings: the same bounds and time zone as the dbt project.

Defaults come from `vars:` in dbt_project.yml (so the loader and staging agree on
what a valid reading is), and each can be overridden by an environment variable.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from dataclasses import dataclass

from predelq.db import PROJECT_DIR


@functools.cache
def dbt_vars() -> dict:
    """The `vars:` block of dbt_project.yml (empty if it cannot be read)."""
    try:
        import yaml

        with open(PROJECT_DIR / "dbt_project.yml") as fh:
            return dict((yaml.safe_load(fh) or {}).get("vars") or {})
    except (OSError, ImportError, ValueError):
        return {}


def _setting(env: str, var: str, default):
    value = os.environ.get(env)
    if value not in (None, ""):
        return type(default)(value)
    return type(default)(dbt_vars().get(var, default))


@dataclass(frozen=True)
class LoaderSettings:
    """Bounds a row must respect to be loaded (inclusive ranges)."""

    local_timezone: str
    max_clock_skew_minutes: int
    max_speed_kmh: float
    min_timestamp: dt.datetime = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    lat_range: tuple[float, float] = (-90.0, 90.0)
    lon_range: tuple[float, float] = (-180.0, 180.0)
    soc_range: tuple[float, float] = (0.0, 100.0)
    odometer_range: tuple[float, float] = (0.0, 2_000_000.0)
    money_range: tuple[float, float] = (0.0, 9_999_999_999.99)  # decimal(12,2), never negative
    installment_range: tuple[float, float] = (1.0, 600.0)
    chunk_bytes: int = 8 << 20  # CSV block size (~100k telemetry rows)
    chunk_rows: int = 100_000  # Parquet / JSON lines rows per chunk
    duckdb_memory_limit: str = "512MB"  # DuckDB spills the stage to disk beyond this

    @property
    def speed_range(self) -> tuple[float, float]:
        return (0.0, float(self.max_speed_kmh))

    @classmethod
    def from_env(cls) -> LoaderSettings:
        return cls(
            local_timezone=_setting("PREDELQ_LOCAL_TIMEZONE", "local_timezone", "Asia/Kolkata"),
            max_clock_skew_minutes=_setting(
                "PREDELQ_MAX_CLOCK_SKEW_MINUTES", "telemetry_max_clock_skew_minutes", 10
            ),
            max_speed_kmh=_setting("PREDELQ_MAX_SPEED_KMH", "telemetry_max_speed_kmh", 250.0),
            chunk_bytes=int(os.environ.get("PREDELQ_LOAD_CHUNK_BYTES") or cls.chunk_bytes),
            chunk_rows=int(os.environ.get("PREDELQ_LOAD_CHUNK_ROWS") or cls.chunk_rows),
            duckdb_memory_limit=os.environ.get("PREDELQ_LOAD_DUCKDB_MEMORY") or cls.duckdb_memory_limit,
        )
