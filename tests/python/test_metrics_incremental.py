"""Incremental metric models equal a full refresh, late-arriving telemetry included.

A small simulated portfolio is held back and released the way a feed would
deliver it: at each cutoff, the telemetry rows whose `ingested_at` has passed
(late rows arrive 1-2 days after their readings), and the payments and
delinquency events recorded by then. After each release the metric models run
incrementally; at the end a `--full-refresh` of the same data must give the same
rows (keys equal, numbers equal to 1e-9) in every metric table; so must a
backfill from scratch in slices of a few days (var telemetry_max_window_days).
Base POIs are removed so that home bases are detected from the nights,
incrementally too. At the end, the pipeline's data-test scope is checked on the
same warehouse. Run on DuckDB and on PostgreSQL (production: its
delete+insert, partitions and casts are its own).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from metrics_helpers import (
    METRICS_SELECTION,
    differences,
    snapshot_all,
)

TZ = ZoneInfo("Asia/Kolkata")
END = dt.date(2026, 10, 31)
DAYS = 16
PORTFOLIO = [
    "--assets", "10", "--days", str(DAYS), "--seed", "11", "--end-date", END.isoformat(),
    "--dirty-rate", "0.01", "--no-progress", "--no-oracle",
]  # fmt: skip
# Local days of data released by each run after the first (the first releases 9 days);
# `None` releases everything that is left.
STEPS = [1, 1, 2, 1, None]
HELD_BACK = {
    "raw_telemetry": "ingested_at",
    "payments": "created_at",
    "delinquency_events": "created_at",
}


def cutoff(day: dt.date) -> str:
    """06:00 local on the day after `day`: what has arrived by then is released."""
    local = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(6, 0), tzinfo=TZ)
    return local.astimezone(dt.UTC).isoformat()


def release(wh, until: str | None) -> int:
    """Move held-back rows that have arrived by `until` (None: all) into raw; rows moved."""
    moved = 0
    for table, column in HELD_BACK.items():
        cond = "true" if until is None else f"{column} <= cast('{until}' as timestamptz)"
        moved += wh.scalar(f"select count(*) from held.{table} where {cond}")
        wh.execute(f"insert into raw.{table} select * from held.{table} where {cond}")
        wh.execute(f"delete from held.{table} where {cond}")
    return moved


def add_loan_disbursed_late(wh, disbursed: dt.date) -> None:
    """A new loan whose vehicle has not reported yet, disbursed after the early runs' last day:
    no run may give it a row before its disbursement (a row there would outlive the run)."""
    account, asset = "0f0f0f0f-0000-4000-8000-0000000000a1", "0f0f0f0f-0000-4000-8000-0000000000b1"
    wh.execute(
        "insert into raw.accounts (id, customer_id, status, loan_amount, tenure_months, interest_rate, "
        f"disbursement_date, maturity_date, created_at, updated_at) select cast('{account}' as uuid), "
        f"customer_id, 'active', loan_amount, tenure_months, interest_rate, cast('{disbursed}' as date), "
        "maturity_date, created_at, updated_at from raw.accounts order by id limit 1"
    )
    wh.execute(
        "insert into raw.assets (id, account_id, asset_model_id, status, year_of_manufacture, created_at, "
        f"updated_at) select cast('{asset}' as uuid), cast('{account}' as uuid), asset_model_id, status, "
        "year_of_manufacture, created_at, updated_at from raw.assets order by id limit 1"
    )


@pytest.fixture(
    params=[
        pytest.param("duckdb"),
        pytest.param("pg", marks=pytest.mark.postgres),
    ]
)
def warehouse(request):
    return request.getfixturevalue("duckdb_warehouse" if request.param == "duckdb" else "pg_warehouse")


def test_incremental_runs_equal_full_refresh(warehouse):
    wh = warehouse
    assert wh.cli("simulate", *PORTFOLIO) == 0
    add_loan_disbursed_late(wh, END - dt.timedelta(days=2))
    wh.execute("create schema held")
    for table in HELD_BACK:
        wh.execute(f"create table held.{table} as select * from raw.{table}")
        wh.execute(f"delete from raw.{table}")
    # no base POI: home bases must be detected from where the vehicles spend nights
    true_bases = wh.query("select owner_id, lat, lon from raw.pois where poi_type = 'base'")
    wh.execute("delete from raw.pois where poi_type = 'base'")

    first_day = END - dt.timedelta(days=DAYS - 1)
    released_until = first_day + dt.timedelta(days=8)
    assert release(wh, cutoff(released_until)) > 0
    wh.dbt("seed", "--select", "metric_definitions")
    wh.dbt("run", "--select", *METRICS_SELECTION)

    late_rows_seen = 0
    for step in STEPS:
        previous_cutoff = cutoff(released_until)
        if step is None:
            release(wh, None)
        else:
            released_until += dt.timedelta(days=step)
            release(wh, cutoff(released_until))
        late_rows_seen += wh.scalar(
            "select count(*) from raw.raw_telemetry "
            f"where ingested_at > cast('{previous_cutoff}' as timestamptz) "
            f"and ts < cast('{previous_cutoff}' as timestamptz) - interval '1 day'"
        )
        wh.dbt("run", "--select", *METRICS_SELECTION)
    # the releases really delivered readings days after they were taken
    assert late_rows_seen > 0
    assert wh.scalar("select count(*) from held.raw_telemetry") == 0

    incremental = snapshot_all(wh)
    wh.dbt("run", "--select", *METRICS_SELECTION, "--full-refresh")
    full = snapshot_all(wh)

    problems = []
    for table in incremental:
        assert full[table][1], f"{table} is empty after the full refresh"
        problems += differences(table, incremental[table], full[table], tol=1e-9)
    assert not problems, "incremental != full refresh:\n" + "\n".join(problems[:40])

    # a backfill in slices (at most 6 days a run) ends where the full refresh did
    sliced = ["--vars", "{telemetry_max_window_days: 6}"]
    wh.dbt("run", "--select", *METRICS_SELECTION, "--full-refresh", *sliced)
    days_after_first_slice = wh.scalar(
        "select count(distinct local_date) from intermediate.int_telemetry_aggregated_daily"
    )
    assert days_after_first_slice == 6
    for _ in range(3):
        wh.dbt("run", "--select", *METRICS_SELECTION, *sliced)
    backfilled = snapshot_all(wh)
    problems = []
    for table in backfilled:
        problems += differences(table, backfilled[table], full[table], tol=1e-9)
    assert not problems, "sliced backfill != full refresh:\n" + "\n".join(problems[:40])

    # and the detected home bases are where the simulator put the vehicles' bases
    detected = {
        str(a): (lat, lon)
        for a, lat, lon in wh.query(
            "select asset_id, base_lat, base_lon from intermediate.int_asset_home_bases "
            "where base_source = 'detected'"
        )
    }
    assert len(detected) >= len(true_bases) // 2
    for owner, lat, lon in true_bases:
        if str(owner) in detected:
            d_lat = abs(float(lat) - detected[str(owner)][0]) * 111.0
            d_lon = abs(float(lon) - detected[str(owner)][1]) * 111.0
            assert max(d_lat, d_lon) < 0.3, f"asset {owner}: detected base {d_lat:.3f}/{d_lon:.3f} km off"

    check_pipeline_test_scope(wh)


def check_pipeline_test_scope(wh) -> None:
    """The pipeline's data-test scope (var data_tests_recent_days, D30): a generic test on a
    day-keyed incremental model reads only its last N days; without the var, every row."""
    test = "not_null_metric_values_value"
    scoped = ["--vars", "{data_tests_recent_days: 3}"]
    first, last = wh.query("select min(local_date), max(local_date) from metrics.metric_values")[0]
    assert (last - first).days > 3
    # bad values on the first day: outside the scope, so only the unscoped test sees them
    wh.execute(f"update metrics.metric_values set value = null where local_date = cast('{first}' as date)")
    wh.dbt("test", "--select", test, *scoped)
    assert not wh.dbt("test", "--select", test, expect_success=False).success
    # bad values on the last day: the scoped test fails too
    wh.execute(f"update metrics.metric_values set value = null where local_date = cast('{last}' as date)")
    assert not wh.dbt("test", "--select", test, *scoped, expect_success=False).success
