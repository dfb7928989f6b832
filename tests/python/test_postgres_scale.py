"""PostgreSQL at a size where a bad plan shows (issue 13).

The shared small portfolio (24 vehicles x 40 days) is too small to tell a plan that
does work proportional to the rows from one that compares every row with every
other: both finish in a second. This test builds 100 vehicles x 61 days (readings
every 30 minutes: the indicator, event and mart models see the full 6,100
vehicle-days) with every statement capped at 60 seconds. Healthy, the slowest
model takes about one second here; `int_indicator_baselines` ran 177 s at this
size when PostgreSQL planned its trailing-day join as a nested loop over one-row
estimates (macros materialized_cte, hash_joins_only). A quadratic plan is a
statement timeout, not a slow test: the cap is far above any healthy time on a
busy 2-core machine, so the test does not time anything.
"""

from __future__ import annotations

import json

import pytest
from conftest import make_pg_warehouse

pytestmark = pytest.mark.postgres

PORTFOLIO = [
    "--assets", "100", "--days", "61", "--seed", "42", "--minute-step", "30",
    "--end-date", "2026-10-31", "--no-oracle", "--no-progress",
]  # fmt: skip
STATEMENT_TIMEOUT_MS = 60_000


def test_full_build_at_100_vehicles_has_no_degrading_plan(tmp_path, require_pg):
    with make_pg_warehouse(tmp_path / "pg") as wh:
        assert wh.cli("simulate", *PORTFOLIO) == 0
        wh.env["PGOPTIONS"] = f"-c statement_timeout={STATEMENT_TIMEOUT_MS}"
        wh.dbt("build")

        results = json.loads((wh.workdir / "target" / "run_results.json").read_text())["results"]
        slowest = sorted(results, key=lambda r: -r["execution_time"])[:5]
        times = (f"{r['unique_id'].split('.')[-1]} {r['execution_time']:.1f}s" for r in slowest)
        print("slowest:", ", ".join(times))

        # the build is not empty: the std-dev baselines exist for every std-dev indicator
        n_baselines = wh.scalar(
            "select count(*) from indicators.int_indicator_baselines where history_days > 0"
        )
        n_vehicle_days = wh.scalar("select count(*) from metrics.metric_values")
        assert n_baselines > 5_000, n_baselines
        assert n_vehicle_days > 100_000, n_vehicle_days

        # the readings scratch table skips the write-ahead log; tables that keep state do not (D28)
        persistence = dict(
            wh.query(
                "select relname, relpersistence from pg_class where relname in "
                "('int_telemetry_readings_enriched', 'int_telemetry_aggregated_daily', 'metric_values')"
            )
        )
        assert persistence == {
            "int_telemetry_readings_enriched": "u",
            "int_telemetry_aggregated_daily": "p",
            "metric_values": "p",
        }, persistence
